package io.sentinel.rules.rest;

import java.util.Locale;
import java.util.regex.Pattern;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import io.sentinel.api.rules.v1.AlertKind;
import io.sentinel.api.rules.v1.AlertState;
import io.sentinel.api.rules.v1.ResolveAlertRequest;
import io.sentinel.common.audit.CurrentJustification;
import io.sentinel.common.audit.Justification;
import io.sentinel.common.error.SentinelException;
import io.sentinel.common.rest.ProtoJson;
import io.sentinel.common.security.Caller;
import io.sentinel.common.security.CurrentCaller;
import io.sentinel.common.security.Roles;
import io.sentinel.rules.service.AlertFeed;
import io.sentinel.rules.service.AlertLifecycle;
import io.sentinel.rules.service.AlertQueries;
import io.smallrye.mutiny.Uni;

/** Alert list, lookup and decisions for back-office tools. */
@Path("/api/v1/alerts")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({ Roles.CASEWORKER, Roles.PARTNER, Roles.REVIEWER })
public class AlertResource {
    /** Back-office tools may send the short outcome name ("false_alarm") as well as the enum name. */
    private static final Pattern OUTCOME = Pattern.compile("\"outcome\"\\s*:\\s*\"([A-Za-z_]+)\"");
    private final AlertQueries queries;
    private final AlertLifecycle lifecycle;
    private final AlertFeed feed;
    private final CurrentCaller caller;
    private final CurrentJustification justification;

    public AlertResource(AlertQueries queries, AlertLifecycle lifecycle, AlertFeed feed, CurrentCaller caller,
            CurrentJustification justification) {
        this.justification = justification;
        this.queries = queries;
        this.lifecycle = lifecycle;
        this.feed = feed;
        this.caller = caller;
    }

    /** Purpose and reference are the X-Sentinel-Purpose and X-Sentinel-Reference headers; a partner also sends X-Sentinel-Grant. */
    @GET
    public Uni<String> list(@QueryParam("subjectId") String subjectId, @QueryParam("state") String state,
            @QueryParam("kind") String kind, @QueryParam("pageSize") Integer pageSize, @QueryParam("pageToken") String pageToken) {
        Justification why = justification.get();
        AlertState s = parseState(state);
        AlertKind k = parseKind(kind);
        Caller who = caller.get();
        return queries.list(who, why, subjectId, s, k, pageSize == null ? 0 : pageSize, pageToken).map(ProtoJson::print);
    }

    @GET
    @Path("/{alertId}")
    public Uni<String> get(@PathParam("alertId") String alertId) {
        Justification why = justification.get();
        Caller who = caller.get();
        return queries.get(who, why, alertId).map(ProtoJson::print);
    }

    @POST
    @Path("/{alertId}/acknowledge")
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<String> acknowledge(@PathParam("alertId") String alertId) {
        Justification why = justification.get();
        Caller who = caller.get();
        return Uni.createFrom().deferred(() -> lifecycle.acknowledge(who, why, alertId)).invoke(feed::committed).map(ProtoJson::print);
    }

    /** Body: {"outcome": "ALERT_OUTCOME_FALSE_ALARM" (or "FALSE_ALARM"), "note": "..."}. */
    @POST
    @Path("/{alertId}/resolve")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<String> resolve(@PathParam("alertId") String alertId, String body) {
        Justification why = justification.get();
        Caller who = caller.get();
        String normalised = body == null ? null : OUTCOME.matcher(body).replaceAll(m -> "\"outcome\":\"ALERT_OUTCOME_"
                + m.group(1).toUpperCase(Locale.ROOT).replaceFirst("^ALERT_OUTCOME_", "") + "\"");
        ResolveAlertRequest r = ProtoJson.parse(normalised, ResolveAlertRequest.newBuilder()).build();
        return Uni.createFrom().deferred(() -> lifecycle.resolve(who, why, alertId, r.getOutcome(), r.getNote()))
                .invoke(feed::committed).map(ProtoJson::print);
    }

    private static AlertState parseState(String state) {
        if (state == null || state.isEmpty()) {
            return null;
        }
        try {
            return AlertState.valueOf("ALERT_STATE_" + state.toUpperCase());
        } catch (IllegalArgumentException e) {
            throw SentinelException.invalid("state", "must be one of open, acknowledged, resolved");
        }
    }

    private static AlertKind parseKind(String kind) {
        if (kind == null || kind.isEmpty()) {
            return null;
        }
        try {
            AlertKind k = AlertKind.valueOf("ALERT_KIND_" + kind.toUpperCase());
            if (k != AlertKind.ALERT_KIND_UNSPECIFIED) {
                return k;
            }
        } catch (IllegalArgumentException e) {
            // falls through to the error below
        }
        throw SentinelException.invalid("kind", "must be one of exclusion_zone_entered, inclusion_zone_left, curfew_breach, "
                + "check_in_missed, check_in_failed, strap_tamper, low_battery, no_signal, order_review_overdue");
    }
}
