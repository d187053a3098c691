package io.sentinel.location.rest;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.sentinel.common.error.SentinelException;
import io.sentinel.common.security.Caller;
import io.sentinel.common.security.CurrentCaller;
import io.sentinel.common.security.Roles;
import io.sentinel.location.domain.FixReport;
import io.sentinel.location.domain.protocol.nmea.NmeaLog;
import io.sentinel.location.domain.protocol.nmea.NmeaParser;
import io.sentinel.location.service.IngestionService;
import io.smallrye.mutiny.Uni;

/**
 * NMEA 0183 logs uploaded by a gateway for one device (text/plain, RMC/GGA). Lines that give no
 * fix (bad checksum, void fix) are listed in the answer; the valid fixes are stored. An upload
 * with no usable fix at all is a 400 naming the first bad line; an upload for a device the calling
 * gateway is not bound to is a 403 naming deviceId.
 */
@Path("/api/v1/devices/{deviceId}/nmea")
@RolesAllowed(Roles.DEVICE_GATEWAY)
public class NmeaResource {
    /** 1 MiB: about 6,000 RMC+GGA epochs, far more than the 1,000 fixes one upload may carry. */
    static final int MAX_BYTES = 1 << 20;

    private final NmeaParser parser = new NmeaParser();
    private final IngestionService ingestion;
    private final CurrentCaller caller;

    public NmeaResource(IngestionService ingestion, CurrentCaller caller) {
        this.ingestion = ingestion;
        this.caller = caller;
    }

    @POST
    @Consumes(MediaType.TEXT_PLAIN)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Map<String, Object>> upload(@PathParam("deviceId") String deviceId, String body) {
        Caller who = caller.get();
        Instant now = Instant.now();
        return Uni.createFrom().deferred(() -> {
            if (body == null || body.isBlank()) {
                throw SentinelException.invalid("body", "body must hold NMEA sentences");
            }
            if (body.length() > MAX_BYTES) {
                throw SentinelException.tooLarge("body", "upload has " + body.length() + " characters (max " + MAX_BYTES + ")");
            }
            NmeaLog log = parser.parse(body);
            if (log.fixes().isEmpty()) {
                String first = log.errors().isEmpty() ? "no RMC sentence with a valid fix" : log.errors().get(0).toString();
                throw SentinelException.invalid("body", "no fix in upload: " + first);
            }
            List<FixReport> reports = log.toReports(deviceId, now);
            return ingestion.ingest(who, reports).map(result -> {
                for (IngestionService.Rejection r : result.rejections()) {
                    if (r.index() < 0) {
                        throw SentinelException.tooLarge(r.field(), r.reason());
                    }
                    if (r.code() == SentinelException.Kind.PERMISSION_DENIED) {
                        throw new SentinelException(SentinelException.Kind.PERMISSION_DENIED, "deviceId", r.reason());
                    }
                    if ("device_id".equals(r.field())) {
                        throw SentinelException.invalid("deviceId", r.reason());
                    }
                }
                Map<String, Object> answer = new LinkedHashMap<>();
                answer.put("accepted", result.accepted());
                answer.put("inserted", result.inserted());
                answer.put("ignoredSentences", log.ignoredSentences());
                answer.put("lineErrors", log.errors().stream().map(e -> Map.of("line", e.line(), "reason", e.message())).toList());
                answer.put("rejectedFixes", result.rejections().stream().map(r -> Map.of("line",
                        log.fixes().get(r.index()).rmcLine(), "field", r.field(), "reason", r.reason())).toList());
                return answer;
            });
        });
    }
}
