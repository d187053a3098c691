package io.sentinel.rules.grpc;

import io.sentinel.api.internal.v1.RulesIntakeServiceGrpc;
import io.sentinel.api.internal.v1.SubjectDataServiceGrpc;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import io.sentinel.api.common.v1.DataCategory;
import io.sentinel.api.common.v1.SharingGrant;
import io.sentinel.api.common.v1.Zone;
import io.sentinel.api.common.v1.ZoneKind;
import io.sentinel.api.rules.v1.AlertEvent;
import io.sentinel.api.internal.v1.PutSharingGrantsRequest;
import io.sentinel.api.internal.v1.PutSubjectConditionsRequest;
import io.sentinel.api.rules.v1.RulesServiceGrpc;
import io.sentinel.api.rules.v1.SubscribeAlertsRequest;
import io.sentinel.common.audit.Justification;
import io.sentinel.common.testing.GrpcTestChannels;
import io.sentinel.common.testing.TestPostgres;
import io.sentinel.common.testing.TestTokens;
import io.sentinel.common.util.Timestamps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Shared helpers of the rules-svc gRPC tests. */
final class RulesFixtures {
    static final String AGENCY = RulesGrpcServiceTest.AGENCY;
    static final String SQUARE = RulesGrpcServiceTest.SQUARE;
    /** Centre of SQUARE; about 110 m from its nearest edge. */
    static final double IN_LAT = 51.5010;
    static final double IN_LON = -0.1270;
    static final double OUT_LAT = 51.5100;
    static final double OUT_LON = -0.1000;

    private RulesFixtures() {
    }

    /** The purpose and reference the tests' readers state, unless a test is about them. */
    static final String PURPOSE = "triage of breach alerts";
    static final String REFERENCE = "CASE-2026-0042";

    /** The public API as the token's caller, stating {@link #PURPOSE} and {@link #REFERENCE}. */
    static RulesServiceGrpc.RulesServiceBlockingStub as(ManagedChannel channel, String token) {
        return justified(unjustified(channel, token), PURPOSE, REFERENCE, null);
    }

    /** As {@link #as}, a partner reading under {@code grantId}. */
    static RulesServiceGrpc.RulesServiceBlockingStub asPartner(ManagedChannel channel, String token, String grantId) {
        return justified(unjustified(channel, token), PURPOSE, REFERENCE, grantId);
    }

    /** The public API as the token's caller, stating no justification. */
    static RulesServiceGrpc.RulesServiceBlockingStub unjustified(ManagedChannel channel, String token) {
        return RulesServiceGrpc.newBlockingStub(channel).withCallCredentials(GrpcTestChannels.bearer(token))
                .withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    /** {@code stub} sending the justification metadata given (null: that key is not sent). */
    static <S extends AbstractStub<S>> S justified(S stub, String purpose, String reference, String grantId) {
        Metadata m = new Metadata();
        if (purpose != null) {
            m.put(Metadata.Key.of(Justification.PURPOSE, Metadata.ASCII_STRING_MARSHALLER), purpose);
        }
        if (reference != null) {
            m.put(Metadata.Key.of(Justification.REFERENCE, Metadata.ASCII_STRING_MARSHALLER), reference);
        }
        if (grantId != null) {
            m.put(Metadata.Key.of(Justification.GRANT, Metadata.ASCII_STRING_MARSHALLER), grantId);
        }
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m));
    }

    /** A REST request as the token's caller, stating {@link #PURPOSE} and {@link #REFERENCE} in headers. */
    static RequestSpecification rest(String token) {
        return rest(token, null);
    }

    /** As {@link #rest(String)}, a partner reading under {@code grantId} (null: none cited). */
    static RequestSpecification rest(String token, String grantId) {
        RequestSpecification r = RestAssured.given().auth().oauth2(token).header(Justification.PURPOSE, PURPOSE)
                .header(Justification.REFERENCE, REFERENCE);
        return grantId == null ? r : r.header(Justification.GRANT, grantId);
    }

    /** rules-svc's internal intake as the service {@code caller} calls it, with that service's own token. */
    static RulesIntakeServiceGrpc.RulesIntakeServiceBlockingStub intake(ManagedChannel channel, String caller) {
        return GrpcTestChannels.asService(RulesIntakeServiceGrpc.newBlockingStub(channel), caller, "rules-svc");
    }

    static RulesIntakeServiceGrpc.RulesIntakeServiceBlockingStub fromEnrollment(ManagedChannel channel) {
        return intake(channel, "enrollment-svc");
    }

    static RulesIntakeServiceGrpc.RulesIntakeServiceBlockingStub fromLocation(ManagedChannel channel) {
        return intake(channel, "location-svc");
    }

    static RulesIntakeServiceGrpc.RulesIntakeServiceBlockingStub fromBiometric(ManagedChannel channel) {
        return intake(channel, "biometric-svc");
    }

    /** The subject-data contract as enrollment-svc calls it. */
    static SubjectDataServiceGrpc.SubjectDataServiceBlockingStub subjectData(ManagedChannel channel) {
        return GrpcTestChannels.asService(SubjectDataServiceGrpc.newBlockingStub(channel), "enrollment-svc", "rules-svc");
    }

    /** The internal intake called with any token (a person's, say), to check it is refused. */
    static RulesIntakeServiceGrpc.RulesIntakeServiceBlockingStub intakeAs(ManagedChannel channel, String token) {
        return RulesIntakeServiceGrpc.newBlockingStub(channel).withCallCredentials(GrpcTestChannels.bearer(token))
                .withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    static SubjectDataServiceGrpc.SubjectDataServiceBlockingStub subjectDataAs(ManagedChannel channel, String token) {
        return SubjectDataServiceGrpc.newBlockingStub(channel).withCallCredentials(GrpcTestChannels.bearer(token))
                .withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    static RulesServiceGrpc.RulesServiceBlockingStub caseworker(ManagedChannel channel, String agency) {
        return as(channel, TestTokens.token("alice@" + agency, agency, "caseworker"));
    }

    /** A new subject of {@code agency} with one exclusion zone (SQUARE); returns its id. */
    static String subjectWithExclusionZone(ManagedChannel channel, String agency) {
        return subjectWithExclusionZone(channel, agency, UUID.randomUUID().toString());
    }

    static String subjectWithExclusionZone(ManagedChannel channel, String agency, String subject) {
        fromEnrollment(channel).putSubjectConditions(PutSubjectConditionsRequest.newBuilder()
                .setSubjectId(subject).setOwningAgencyId(agency).setOrderId(UUID.randomUUID().toString())
                .setTimeZone("Europe/London").setVersion(1).setActive(true)
                .addZones(Zone.newBuilder().setZoneId(UUID.randomUUID().toString()).setKind(ZoneKind.ZONE_KIND_EXCLUSION).setGeojson(SQUARE))
                .build());
        return subject;
    }

    static PutSharingGrantsRequest grants(String subject, long version, String agency, Instant validUntil, DataCategory... categories) {
        PutSharingGrantsRequest.Builder b = PutSharingGrantsRequest.newBuilder().setSubjectId(subject).setOwningAgencyId(AGENCY)
                .setVersion(version);
        if (agency != null) {
            b.addGrants(SharingGrant.newBuilder().setGrantId(UUID.randomUUID().toString()).setAgencyId(agency)
                    .addAllCategories(List.of(categories)).setPurpose("joint public-protection case 2026/118")
                    .setValidUntil(Timestamps.of(validUntil)));
        }
        return b.build();
    }

    /**
     * Reads the feed from {@code afterCursor} until {@code until} holds for an event (included),
     * keeping the events that {@code keep} accepts; fails at the deadline.
     */
    static List<AlertEvent> readFeed(RulesServiceGrpc.RulesServiceBlockingStub stub, long afterCursor, Predicate<AlertEvent> keep,
            Predicate<AlertEvent> until) {
        Context.CancellableContext ctx = Context.current().withCancellation();
        try {
            return ctx.call(() -> {
                List<AlertEvent> kept = new ArrayList<>();
                Iterator<AlertEvent> it = stub.withDeadlineAfter(20, TimeUnit.SECONDS)
                        .subscribeAlerts(SubscribeAlertsRequest.newBuilder().setAfterCursor(afterCursor).build());
                while (it.hasNext()) {
                    AlertEvent e = it.next();
                    if (keep.test(e)) {
                        kept.add(e);
                    }
                    if (until.test(e)) {
                        return kept;
                    }
                }
                throw new AssertionError("feed ended before the awaited event");
            });
        } catch (RuntimeException | AssertionError e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            ctx.cancel(null);
        }
    }

    /** One value from the module's test database, for checks no API exposes. */
    static String psql(String sql) {
        try {
            Process p = new ProcessBuilder("psql", "-h", "127.0.0.1", "-p", String.valueOf(TestPostgres.port()), "-U",
                    "postgres", "-d", "rules_test", "-tAc", sql).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            return out;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs {@code script} in a psql session of its own (another replica, say) and returns once that
     * session shows {@code waitEvent} (PgSleep, for a script that sleeps inside a transaction), so
     * whatever the script did before is in place.
     */
    static Process psqlInBackground(String script, String waitEvent) {
        try {
            Process p = new ProcessBuilder("psql", "-h", "127.0.0.1", "-p", String.valueOf(TestPostgres.port()), "-U", "postgres",
                    "-d", "rules_test", "-v", "ON_ERROR_STOP=1", "-c", script).redirectErrorStream(true).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            String marker = script.substring(0, Math.min(60, script.length())).replace("'", "''");
            while (!"1".equals(psql("select count(*) from pg_stat_activity where wait_event = '" + waitEvent
                    + "' and starts_with(query, '" + marker + "')"))) {
                assertThat(p.isAlive()).as("the background session is still running").isTrue();
                assertThat(System.nanoTime()).as("the background session reached " + waitEvent).isLessThan(deadline);
                Thread.sleep(20);
            }
            return p;
        } catch (InterruptedException | java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Holds the transaction-scoped advisory lock {@code key} in another session for {@code seconds}. */
    static Process holdLock(long key, int seconds) {
        return psqlInBackground("begin; select pg_advisory_xact_lock(" + key + "); select pg_sleep(" + seconds + "); commit;", "PgSleep");
    }

    static void assertStatus(Runnable call, Status.Code code, String description) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(code);
            if (description != null) {
                assertThat(e.getStatus().getDescription()).isEqualTo(description);
            }
        });
    }
}
