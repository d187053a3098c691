package io.sentinel.rules.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.sentinel.api.rules.v1.Alert;
import io.sentinel.api.rules.v1.AlertKind;
import io.sentinel.api.rules.v1.AlertState;
import io.sentinel.api.rules.v1.ListAlertsResponse;
import io.sentinel.common.audit.AuditLog;
import io.sentinel.common.audit.Justification;
import io.sentinel.common.error.Check;
import io.sentinel.common.error.PageToken;
import io.sentinel.common.error.SentinelException;
import io.sentinel.common.security.Caller;
import io.sentinel.rules.repository.AlertEntity;
import io.sentinel.rules.repository.AlertRepository;
import io.sentinel.rules.repository.SharingGrantRepository;
import io.smallrye.mutiny.Uni;

/**
 * Reads alerts for callers, showing each agency only what it may see: its own subjects and those
 * shared with it for alerts, without locations unless it owns the subject or a grant shares location
 * trails too ({@link AlertReader}, {@link AlertSight}); a reviewer-only caller reads check-in alerts only.
 */
@ApplicationScoped
public class AlertQueries {
    private final AlertRepository alerts;
    private final SharingGrantRepository grants;
    private final CitedGrants cited;
    private final AuditLog audit;

    public AlertQueries(AlertRepository alerts, SharingGrantRepository grants, CitedGrants cited, AuditLog audit) {
        this.alerts = alerts;
        this.grants = grants;
        this.cited = cited;
        this.audit = audit;
    }

    /**
     * One alert, as the caller may see it, read under {@code why} and recorded ("alert.read") with the
     * alert's subject; a refusal is recorded with the subject when the alert was found.
     */
    public Uni<Alert> get(Caller caller, Justification why, String alertId) {
        List<String> asked = new ArrayList<>(1);
        return audit.read(caller, why, "alert.read", asked, () -> Panache.withSession(() -> find(caller, why, alertId, asked)),
                a -> List.of(a.getSubjectId()));
    }

    private Uni<Alert> find(Caller caller, Justification why, String alertId, List<String> asked) {
        UUID id = Check.uuid("alert_id", alertId);
        AlertReader reader = AlertReader.of(caller);
        return alerts.findVisible(caller.agencyId(), id).flatMap(a -> {
            // Not visible and not existing look the same, so ids cannot be probed across agencies.
            if (a == null) {
                throw SentinelException.notFound("alert", alertId);
            }
            asked.add(a.subjectId.toString());
            if (!reader.mayRead(AlertKind.valueOf(a.kind))) {
                throw SentinelException.denied(AlertReader.CHECK_INS_ONLY);
            }
            Uni<Void> underGrant = !CitedGrants.cites(why) ? Uni.createFrom().voidItem() : cited.check(caller, why).invoke(g -> {
                if (!g.subjectId().equals(a.subjectId)) {
                    throw CitedGrants.notCovering(g, a.subjectId);
                }
            }).replaceWithVoid();
            return underGrant.flatMap(x -> shown(reader, List.of(a))).map(list -> list.get(0));
        });
    }

    /**
     * A page of the alerts the caller may read, read under {@code why} and recorded ("alerts.list") with
     * every subject in the page. A reviewer-only caller gets check-in alerts only; its filter for another
     * kind is refused (PERMISSION_DENIED) rather than answered with an empty page, which would read as
     * "there are none". A read under a grant lists the subject that grant shares, and only that one.
     */
    public Uni<ListAlertsResponse> list(Caller caller, Justification why, String subjectId, AlertState state, AlertKind kind,
            int pageSize, String pageToken) {
        List<String> asked = new ArrayList<>(1);
        if (subjectId != null && !subjectId.isBlank()) {
            asked.add(subjectId);
        }
        return audit.read(caller, why, "alerts.list", asked,
                () -> Panache.withSession(() -> page(caller, why, subjectId, state, kind, pageSize, pageToken, asked)),
                r -> r.getAlertsList().stream().map(Alert::getSubjectId).distinct().toList());
    }

    private Uni<ListAlertsResponse> page(Caller caller, Justification why, String subjectId, AlertState state, AlertKind kind,
            int pageSize, String pageToken, List<String> asked) {
        if (kind == AlertKind.UNRECOGNIZED) {
            throw SentinelException.invalid("kind", "unknown alert kind");
        }
        UUID subject = subjectId == null || subjectId.isEmpty() ? null : Check.uuid("subject_id", subjectId);
        if (state == AlertState.UNRECOGNIZED) {
            throw SentinelException.invalid("state", "unknown alert state");
        }
        String stateName = state == null || state == AlertState.ALERT_STATE_UNSPECIFIED ? null : state.name();
        int size = Check.pageSize("page_size", pageSize, 50, 500);
        String after = PageToken.decode("page_token", pageToken);
        if (after != null) {
            Check.uuid("page_token", after);
        }
        AlertReader reader = AlertReader.of(caller);
        Collection<String> kinds;
        if (kind != null && kind != AlertKind.ALERT_KIND_UNSPECIFIED) {
            if (!reader.mayRead(kind)) {
                throw SentinelException.denied(AlertReader.CHECK_INS_ONLY + ", not " + kind.name());
            }
            kinds = List.of(kind.name());
        } else {
            kinds = reader.checkInsOnly() ? AlertReader.CHECK_IN_KINDS.stream().map(AlertKind::name).toList() : null;
        }
        Uni<UUID> of = !CitedGrants.cites(why) ? Uni.createFrom().item(subject) : cited.check(caller, why).map(g -> {
            if (subject != null && !subject.equals(g.subjectId())) {
                throw CitedGrants.notCovering(g, subject);
            }
            if (subject == null) {
                asked.add(g.subjectId().toString());
            }
            return g.subjectId();
        });
        return of.flatMap(s -> alerts.page(caller.agencyId(), s, stateName, kinds, after, size)).flatMap(list -> shown(reader, list).map(shown -> {
            ListAlertsResponse.Builder b = ListAlertsResponse.newBuilder().addAllAlerts(shown);
            if (list.size() == size) {
                b.setNextPageToken(PageToken.encode(list.get(list.size() - 1).alertId.toString()));
            }
            return b.build();
        }));
    }

    /**
     * The alerts as the reader may see them. Grants are looked up only for other agencies' alerts, so
     * an agency reading its own subjects pays no extra query.
     */
    private Uni<List<Alert>> shown(AlertReader reader, List<AlertEntity> list) {
        Set<UUID> lookUp = new LinkedHashSet<>();
        list.stream().filter(a -> reader.needsLocationGrant(a.owningAgencyId)).forEach(a -> lookUp.add(a.subjectId));
        return grants.sharingLocations(reader.agencyId(), lookUp, Instant.now()).map(granted -> list.stream()
                .map(a -> reader.sightOf(a.owningAgencyId, granted.contains(a.subjectId)).redact(AlertMapping.toProto(a)))
                .toList());
    }
}
