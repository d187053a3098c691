package io.sentinel.location.grpc;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.annotation.security.RolesAllowed;

import io.quarkus.grpc.GrpcService;
import io.sentinel.api.location.v1.Fix;
import io.sentinel.api.location.v1.FixBatch;
import io.sentinel.api.location.v1.FixBatchAck;
import io.sentinel.api.location.v1.FixRejection;
import io.sentinel.api.location.v1.LocationService;
import io.sentinel.api.location.v1.PutDeviceAssignmentRequest;
import io.sentinel.api.location.v1.PutDeviceAssignmentResponse;
import io.sentinel.common.error.SentinelException;
import io.sentinel.common.security.Caller;
import io.sentinel.common.security.CurrentCaller;
import io.sentinel.common.security.Roles;
import io.sentinel.location.domain.FixReport;
import io.sentinel.location.service.AssignmentService;
import io.sentinel.location.service.IngestionService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/** The gRPC edge of location-svc. */
@GrpcService
public class LocationGrpcService implements LocationService {
    private final IngestionService ingestion;
    private final AssignmentService assignments;
    private final CurrentCaller caller;

    public LocationGrpcService(IngestionService ingestion, AssignmentService assignments, CurrentCaller caller) {
        this.ingestion = ingestion;
        this.assignments = assignments;
        this.caller = caller;
    }

    @Override
    @RolesAllowed(Roles.DEVICE_GATEWAY)
    public Multi<FixBatchAck> ingestFixes(Multi<FixBatch> batches) {
        Caller who = caller.get();
        AtomicLong lastSequence = new AtomicLong(Long.MIN_VALUE);
        // concatMap: one batch at a time per stream, so acknowledgements come back in order.
        return batches.concatMap(batch -> {
            if (batch.getSequence() <= lastSequence.get()) {
                return Multi.createFrom().failure(SentinelException.invalid("sequence",
                        "must increase within a stream: got " + batch.getSequence() + " after " + lastSequence.get()));
            }
            lastSequence.set(batch.getSequence());
            Instant receivedAt = Instant.now();
            List<FixReport> reports = new ArrayList<>(batch.getFixesCount());
            for (Fix f : batch.getFixesList()) {
                reports.add(FixMapping.toReport(f, receivedAt));
            }
            return ingestion.ingest(who, reports).map(result -> {
                FixBatchAck.Builder ack = FixBatchAck.newBuilder().setSequence(batch.getSequence()).setAccepted(result.accepted());
                result.rejections().forEach(r -> ack.addRejections(FixRejection.newBuilder()
                        .setIndex(r.index()).setField(r.field()).setReason(r.reason())));
                return ack.build();
            }).toMulti();
        });
    }

    @Override
    @RolesAllowed(Roles.SERVICE)
    public Uni<PutDeviceAssignmentResponse> putDeviceAssignment(PutDeviceAssignmentRequest request) {
        return Uni.createFrom().deferred(() -> assignments.put(request))
                .map(v -> PutDeviceAssignmentResponse.newBuilder().setVersion(v).build());
    }
}
