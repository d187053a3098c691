package io.sentinel.location.rest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import io.sentinel.common.error.SentinelException;
import io.sentinel.common.security.Caller;
import io.sentinel.common.security.CurrentCaller;
import io.sentinel.common.security.Roles;
import io.sentinel.location.domain.FixReport;
import io.sentinel.location.domain.protocol.Decoded;
import io.sentinel.location.domain.protocol.owntracks.OwnTracksParser;
import io.smallrye.mutiny.Uni;

/**
 * OwnTracks HTTP mode: the app POSTs its JSON messages and expects 200 with a JSON array
 * ({@code []}). The device is {@code <user>/<device>} from X-Limit-U/X-Limit-D (or u/d, or the
 * payload's topic), and its {@code <device>} part is the Sentinel device UUID or the device's registered serial.
 * A gateway not bound to the device gets 403 naming X-Limit-D.
 */
@Path("/api/v1/owntracks")
@RolesAllowed(Roles.DEVICE_GATEWAY)
public class OwnTracksResource {
    private final OwnTracksParser parser = new OwnTracksParser();
    private final DeviceReports reports;
    private final CurrentCaller caller;

    public OwnTracksResource(DeviceReports reports, CurrentCaller caller) {
        this.reports = reports;
        this.caller = caller;
    }

    @POST
    @Consumes("*/*")
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<String> post(@HeaderParam("X-Limit-U") String headerUser, @HeaderParam("X-Limit-D") String headerDevice,
            @QueryParam("u") String queryUser, @QueryParam("d") String queryDevice, String body) {
        Caller who = caller.get();
        Instant now = Instant.now();
        String user = headerUser != null ? headerUser : queryUser;
        String device = headerDevice != null ? headerDevice : queryDevice;
        return Uni.createFrom().deferred(() -> reports.store(who, toSentinelDevices(parser.parseHttp(body, user, device, now)),
                "X-Limit-D", SentinelException.Kind.INVALID_ARGUMENT)).map(n -> "[]");
    }

    /**
     * OwnTracks names devices user/device; Sentinel knows the device part as the device's UUID or
     * its registered serial (resolved, and refused when unknown, at ingestion).
     */
    public static Decoded toSentinelDevices(Decoded d) {
        if (d.kind() != Decoded.Kind.FIXES) {
            return d;
        }
        List<FixReport> out = new ArrayList<>(d.fixes().size());
        for (FixReport f : d.fixes()) {
            String id = f.deviceId();
            out.add(f.withDeviceId(id.substring(id.lastIndexOf('/') + 1)));
        }
        return Decoded.fixes(out);
    }
}
