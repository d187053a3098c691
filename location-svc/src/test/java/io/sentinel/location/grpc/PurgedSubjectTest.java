package io.sentinel.location.grpc;

import static io.sentinel.location.Fixtures.psql;
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
import io.sentinel.api.common.v1.LocationCadence;
import io.sentinel.api.common.v1.SharingGrant;
import io.sentinel.api.internal.v1.PurgeSubjectRequest;
import io.sentinel.api.internal.v1.PutSharingGrantsRequest;
import io.sentinel.api.internal.v1.SubjectDataServiceGrpc;
import io.sentinel.common.grpc.GrpcErrorMapping;
import io.sentinel.common.testing.GrpcTestChannels;
import io.sentinel.common.util.Timestamps;
import io.sentinel.location.Fixtures;

/** Tombstones: once a subject is purged here, no late or redelivered assignment or grant brings it back. */
@QuarkusTest
class PurgedSubjectTest {
    ManagedChannel channel;

    @BeforeEach
    void open() {
        channel = GrpcTestChannels.plaintext(RestAssured.port);
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    SubjectDataServiceGrpc.SubjectDataServiceBlockingStub service() {
        return SubjectDataServiceGrpc.newBlockingStub(channel).withCallCredentials(GrpcTestChannels.bearer(Fixtures.serviceToken()))
                .withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    static void refusedAsPurged(Runnable call, String subject) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(e.getStatus().getDescription()).startsWith("subject_id: subject " + subject + " was purged (");
            assertThat(e.getTrailers().get(GrpcErrorMapping.REASON_KEY)).isEqualTo("SUBJECT_PURGED");
        });
    }

    PutSharingGrantsRequest grants(String subject, long version) {
        return PutSharingGrantsRequest.newBuilder().setSubjectId(subject).setOwningAgencyId(Fixtures.AGENCY).setVersion(version)
                .addGrants(SharingGrant.newBuilder().setGrantId(UUID.randomUUID().toString()).setAgencyId("police-x")
                        .addCategories(DataCategory.DATA_CATEGORY_LOCATION_TRAIL).setPurpose("joint case 2026/118")
                        .setValidUntil(Timestamps.of(Instant.now().plusSeconds(86_400))))
                .build();
    }

    @Test
    void aLateDuplicateAssignmentOrGrantAfterAPurgeIsRefusedButAReleaseIsApplied() {
        String[] ds = Fixtures.assignedDevice(LocationCadence.LOCATION_CADENCE_CONTINUOUS_TRAIL);
        service().putSharingGrants(grants(ds[1], 1));
        String purgeId = UUID.randomUUID().toString();
        service().purgeSubject(PurgeSubjectRequest.newBuilder().setSubjectId(ds[1]).setPurgeId(purgeId).build());
        assertThat(psql("select purge_id from purged_subject where subject_id = '" + ds[1] + "'")).isEqualTo(purgeId);

        // The assignment enrollment-svc had sent, delivered again; a newer one; another device for the same subject.
        refusedAsPurged(() -> Fixtures.assign(ds[0], ds[1], Fixtures.AGENCY, null, 1), ds[1]);
        refusedAsPurged(() -> Fixtures.assign(ds[0], ds[1], Fixtures.AGENCY, null, 2), ds[1]);
        String other = UUID.randomUUID().toString();
        refusedAsPurged(() -> Fixtures.assign(other, ds[1], Fixtures.AGENCY, null, 1), ds[1]);
        assertThat(psql("select count(*) from device_assignment where device_id = '" + other + "'")).isEqualTo("0");
        refusedAsPurged(() -> service().putSharingGrants(grants(ds[1], 2)), ds[1]);
        assertThat(psql("select version from subject_sharing where subject_id = '" + ds[1] + "'")).isEqualTo("1");

        // Releasing the device names no subject: it is applied, so the device can serve someone else.
        assertThat(Fixtures.assign(ds[0], null, Fixtures.AGENCY, null, 3)).isEqualTo(3);
        // The purge itself is still answered (idempotent on its id).
        service().purgeSubject(PurgeSubjectRequest.newBuilder().setSubjectId(ds[1]).setPurgeId(purgeId).build());
    }

    @Test
    void aPurgeOfTheTrailAloneLeavesNoTombstone() {
        String[] ds = Fixtures.assignedDevice(LocationCadence.LOCATION_CADENCE_CONTINUOUS_TRAIL);
        service().purgeSubject(PurgeSubjectRequest.newBuilder().setSubjectId(ds[1]).setPurgeId(UUID.randomUUID().toString())
                .addCategories(DataCategory.DATA_CATEGORY_LOCATION_TRAIL).build());
        assertThat(psql("select count(*) from purged_subject where subject_id = '" + ds[1] + "'")).isEqualTo("0");
        assertThat(Fixtures.assign(ds[0], ds[1], Fixtures.AGENCY, null, 2)).isEqualTo(2);
    }
}
