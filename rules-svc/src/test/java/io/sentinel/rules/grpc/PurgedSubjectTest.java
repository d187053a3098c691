package io.sentinel.rules.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.sentinel.api.common.v1.DataCategory;
import io.sentinel.api.common.v1.Zone;
import io.sentinel.api.common.v1.ZoneKind;
import io.sentinel.api.internal.v1.CheckInEventKind;
import io.sentinel.api.internal.v1.DeviceEvent;
import io.sentinel.api.internal.v1.DeviceEventKind;
import io.sentinel.api.internal.v1.PurgeSubjectRequest;
import io.sentinel.api.internal.v1.PutSubjectConditionsRequest;
import io.sentinel.api.internal.v1.RecordCheckInEventRequest;
import io.sentinel.api.internal.v1.RecordDeviceEventsRequest;
import io.sentinel.api.internal.v1.RecordDeviceEventsResponse;
import io.sentinel.api.internal.v1.RecordReviewOverdueRequest;
import io.sentinel.common.grpc.GrpcErrorMapping;
import io.sentinel.common.testing.GrpcTestChannels;
import io.sentinel.common.util.Timestamps;

/** Tombstones: once a subject is purged here, no late or redelivered message about it brings it back. */
@QuarkusTest
class PurgedSubjectTest {
    static final Instant T = Instant.parse("2026-11-18T08:00:00Z");

    ManagedChannel channel;

    @BeforeEach
    void open() {
        channel = GrpcTestChannels.plaintext(RestAssured.port);
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    static PutSubjectConditionsRequest conditions(String subject, long version) {
        return PutSubjectConditionsRequest.newBuilder().setSubjectId(subject).setOwningAgencyId(RulesFixtures.AGENCY)
                .setOrderId(UUID.randomUUID().toString()).setTimeZone("Europe/London").setVersion(version).setActive(true)
                .addZones(Zone.newBuilder().setZoneId(UUID.randomUUID().toString()).setKind(ZoneKind.ZONE_KIND_EXCLUSION)
                        .setGeojson(RulesFixtures.SQUARE))
                .build();
    }

    static PurgeSubjectRequest purgeAll(String subject) {
        return PurgeSubjectRequest.newBuilder().setSubjectId(subject).setPurgeId(UUID.randomUUID().toString()).build();
    }

    /** The call is refused FAILED_PRECONDITION naming the subject as purged, with the reason senders park on. */
    static void refusedAsPurged(Runnable call, String subject) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(e.getStatus().getDescription()).startsWith("subject_id: subject " + subject + " was purged (")
                    .endsWith("); nothing more is accepted for it");
            assertThat(e.getTrailers().get(GrpcErrorMapping.REASON_KEY)).isEqualTo("SUBJECT_PURGED");
            assertThat(GrpcErrorMapping.subjectPurged(e)).isTrue();
        });
    }

    @Test
    void aLateDuplicateOrNewerPutAfterAPurgeIsRefusedAndRecreatesNothing() {
        String subject = UUID.randomUUID().toString();
        PutSubjectConditionsRequest v1 = conditions(subject, 1);
        RulesFixtures.fromEnrollment(channel).putSubjectConditions(v1);
        RulesFixtures.subjectData(channel).putSharingGrants(RulesFixtures.grants(subject, 1, "police-x", T.plusSeconds(86_400 * 30),
                DataCategory.DATA_CATEGORY_ALERTS));
        PurgeSubjectRequest purge = purgeAll(subject);
        RulesFixtures.subjectData(channel).purgeSubject(purge);
        assertThat(RulesFixtures.psql("select count(*) from subject_conditions where subject_id = '" + subject + "'")).isEqualTo("0");
        // The tombstone holds ids and the time only.
        assertThat(RulesFixtures.psql("select purge_id from purged_subject where subject_id = '" + subject + "'")).isEqualTo(purge.getPurgeId());

        // The outbox redelivers the very message it had already delivered, and a newer one arrives late.
        refusedAsPurged(() -> RulesFixtures.fromEnrollment(channel).putSubjectConditions(v1), subject);
        refusedAsPurged(() -> RulesFixtures.fromEnrollment(channel).putSubjectConditions(conditions(subject, 2)), subject);
        refusedAsPurged(() -> RulesFixtures.subjectData(channel).putSharingGrants(RulesFixtures.grants(subject, 2, "police-x",
                T.plusSeconds(86_400 * 30), DataCategory.DATA_CATEGORY_ALERTS)), subject);
        assertThat(RulesFixtures.psql("select count(*) from subject_conditions where subject_id = '" + subject + "'")).isEqualTo("0");
        assertThat(RulesFixtures.psql("select count(*) from sharing_grants where subject_id = '" + subject + "'")).isEqualTo("0");

        // The purge itself stays idempotent, and another purge of the subject still answers.
        assertThat(RulesFixtures.subjectData(channel).purgeSubject(purge).getCountsMap()).containsKeys("DATA_CATEGORY_ALERTS");
        RulesFixtures.subjectData(channel).purgeSubject(purgeAll(subject));
        assertThat(RulesFixtures.psql("select purge_id from purged_subject where subject_id = '" + subject + "'")).isEqualTo(purge.getPurgeId());
    }

    @Test
    void recordsAboutAPurgedSubjectAreRefusedAndABatchGoesOnWithoutThem() {
        String purged = RulesFixtures.subjectWithExclusionZone(channel, RulesFixtures.AGENCY);
        String live = RulesFixtures.subjectWithExclusionZone(channel, RulesFixtures.AGENCY);
        RulesFixtures.subjectData(channel).purgeSubject(purgeAll(purged));

        refusedAsPurged(() -> RulesFixtures.fromBiometric(channel).recordCheckInEvent(RecordCheckInEventRequest.newBuilder()
                .setEventId(UUID.randomUUID().toString()).setSubjectId(purged).setKind(CheckInEventKind.CHECK_IN_EVENT_KIND_MISSED)
                .setOccurredAt(Timestamps.of(T)).setCheckInId(UUID.randomUUID().toString()).build()), purged);
        refusedAsPurged(() -> RulesFixtures.fromEnrollment(channel).recordReviewOverdue(RecordReviewOverdueRequest.newBuilder()
                .setEventId(UUID.randomUUID().toString()).setSubjectId(purged).setOrderId(UUID.randomUUID().toString())
                .setReviewDueAt(Timestamps.of(T)).build()), purged);

        DeviceEvent gone = ExternalEventsTest.device(purged, UUID.randomUUID().toString(), DeviceEventKind.DEVICE_EVENT_KIND_STRAP_TAMPER, T);
        DeviceEvent kept = ExternalEventsTest.device(live, UUID.randomUUID().toString(), DeviceEventKind.DEVICE_EVENT_KIND_STRAP_TAMPER, T);
        RecordDeviceEventsRequest batch = RecordDeviceEventsRequest.newBuilder().addEvents(gone).addEvents(kept).build();
        RecordDeviceEventsResponse r = RulesFixtures.fromLocation(channel).recordDeviceEvents(batch);
        assertThat(r.getRefusedEventIdsList()).containsExactly(gone.getEventId());
        assertThat(r.getDeferredEventIdsList()).isEmpty();
        assertThat(r.getAlertsOpened()).isEqualTo(1);
        // Sent again (the sender lost the answer): the refusal stands, the applied event is not applied twice.
        RecordDeviceEventsResponse again = RulesFixtures.fromLocation(channel).recordDeviceEvents(batch);
        assertThat(again.getRefusedEventIdsList()).containsExactly(gone.getEventId());
        assertThat(again.getAlertsOpened()).isZero();
        assertThat(RulesFixtures.psql("select count(*) from alert where subject_id = '" + purged + "'")).isEqualTo("0");
        assertThat(RulesFixtures.psql("select count(*) from processed_event where subject_id = '" + purged + "'")).isEqualTo("0");
    }

    @Test
    void aPurgeOfSomeCategoriesOrOfOlderDataLeavesNoTombstone() {
        String subject = UUID.randomUUID().toString();
        RulesFixtures.fromEnrollment(channel).putSubjectConditions(conditions(subject, 1));
        RulesFixtures.subjectData(channel).purgeSubject(purgeAll(subject).toBuilder().addCategories(DataCategory.DATA_CATEGORY_ALERTS).build());
        RulesFixtures.subjectData(channel).purgeSubject(purgeAll(subject).toBuilder().setOlderThan(Timestamps.of(T)).build());
        assertThat(RulesFixtures.psql("select count(*) from purged_subject where subject_id = '" + subject + "'")).isEqualTo("0");
        // The subject lives on: a new order's conditions are taken.
        assertThat(RulesFixtures.fromEnrollment(channel).putSubjectConditions(conditions(subject, 2)).getVersion()).isEqualTo(2);
    }
}
