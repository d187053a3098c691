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
import io.sentinel.api.location.v1.QueryTrailRequest;
import io.sentinel.api.location.v1.QueryTrailResponse;
import io.sentinel.api.location.v1.TrailPoint;
import io.sentinel.common.audit.Justification;
import io.sentinel.common.util.Timestamps;
import io.sentinel.location.service.TrailService;
import io.sentinel.common.error.SentinelException;
import io.sentinel.common.security.Caller;
import io.sentinel.common.security.CurrentCaller;
import io.sentinel.common.security.Roles;
import io.sentinel.common.security.TokenBoundStreams;
import io.sentinel.location.domain.FixReport;
import io.sentinel.location.service.IngestionService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/** The public gRPC edge of location-svc: device gateways and trail readers. */
@GrpcService
public class LocationGrpcService implements LocationService {
    private final IngestionService ingestion;
    private final CurrentCaller caller;
    private final TrailService trails;

    public LocationGrpcService(IngestionService ingestion, CurrentCaller caller, TrailService trails) {
        this.ingestion = ingestion;
        this.trails = trails;
        this.caller = caller;
    }

    @Override
    @RolesAllowed(Roles.DEVICE_GATEWAY)
    public Multi<FixBatchAck> ingestFixes(Multi<FixBatch> batches) {
        Caller who = caller.get();
        AtomicLong lastSequence = new AtomicLong(Long.MIN_VALUE);
        // concatMap: one batch at a time per stream, so acknowledgements come back in order.
        return TokenBoundStreams.untilExpiry(who, batches.concatMap(batch -> {
            if (batch.getSequence() <= lastSequence.get()) {
                return Multi.createFrom().failure(SentinelException.invalid("sequence",
                        "must increase within a stream: got " + batch.getSequence() + " after " + lastSequence.get()));
            }
            lastSequence.set(batch.getSequence());
            Instant receivedAt = Instant.now();
            List<FixReport> reports = new ArrayList<>(batch.getFixesCount());
            // A Timestamp whose nanos are outside [0, 999999999] is malformed (Instant would quietly
            // carry them into the seconds): that fix is refused as having no valid device_time.
            java.util.Map<Integer, String> malformedTimes = new java.util.HashMap<>();
            for (int i = 0; i < batch.getFixesCount(); i++) {
                Fix f = batch.getFixes(i);
                if (f.hasDeviceTime() && (f.getDeviceTime().getNanos() < 0 || f.getDeviceTime().getNanos() > 999_999_999)) {
                    malformedTimes.put(i, "device_time nanos must be within [0, 999999999], got " + f.getDeviceTime().getNanos());
                    f = f.toBuilder().clearDeviceTime().build();
                }
                reports.add(FixMapping.toReport(f, receivedAt));
            }
            return ingestion.ingest(who, reports).map(result -> {
                FixBatchAck.Builder ack = FixBatchAck.newBuilder().setSequence(batch.getSequence()).setAccepted(result.accepted());
                result.rejections().forEach(r -> ack.addRejections(FixRejection.newBuilder()
                        .setIndex(r.index()).setField(r.field())
                        .setReason("device_time".equals(r.field()) ? malformedTimes.getOrDefault(r.index(), r.reason()) : r.reason())
                        .setCode(r.code().name())));
                return ack.build();
            }).toMulti();
        }));
    }

    @Override
    // Any authenticated caller gets through to the service, so a refusal on role is audited too.
    @RolesAllowed("**")
    public Uni<QueryTrailResponse> queryTrail(QueryTrailRequest request) {
        // Read at entry, on the call's own context: the justification travels as metadata.
        Justification why = Justification.ofGrpcCall();
        Caller who = caller.get();
        return Uni.createFrom().deferred(() -> trails.query(who, why, request.getSubjectId(),
                request.hasFrom() ? Timestamps.optional("from", request.getFrom()) : null,
                request.hasTo() ? Timestamps.optional("to", request.getTo()) : null))
                .map(t -> {
                    QueryTrailResponse.Builder b = QueryTrailResponse.newBuilder().setSubjectId(t.subjectId().toString())
                            .setTruncated(t.truncated());
                    t.points().forEach(p -> {
                        TrailPoint.Builder tp = TrailPoint.newBuilder().setDeviceId(p.deviceId().toString())
                                .setDeviceTime(Timestamps.of(p.deviceTime())).setLatitude(p.latitude()).setLongitude(p.longitude())
                                .setAccuracyMetres(p.accuracyMetres()).setImplausible(p.implausible()).setLowAccuracy(p.lowAccuracy());
                        if (p.speedMps() != null) {
                            tp.setSpeedMps(p.speedMps());
                        }
                        if (p.headingDegrees() != null) {
                            tp.setHeadingDegrees(p.headingDegrees());
                        }
                        b.addPoints(tp);
                    });
                    return b.build();
                });
    }
}
