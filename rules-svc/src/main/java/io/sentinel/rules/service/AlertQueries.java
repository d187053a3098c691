package io.sentinel.rules.service;

import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.sentinel.api.rules.v1.Alert;
import io.sentinel.api.rules.v1.AlertKind;
import io.sentinel.api.rules.v1.AlertState;
import io.sentinel.api.rules.v1.ListAlertsResponse;
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

    public AlertQueries(AlertRepository alerts, SharingGrantRepository grants) {
        this.alerts = alerts;
        this.grants = grants;
    }

    @WithSession
    public Uni<Alert> get(Caller caller, String alertId) {
        UUID id = Check.uuid("alert_id", alertId);
        AlertReader reader = AlertReader.of(caller);
        return alerts.findVisible(caller.agencyId(), id).flatMap(a -> {
            // Not visible and not existing look the same, so ids cannot be probed across agencies.
            if (a == null) {
                throw SentinelException.notFound("alert", alertId);
            }
            if (!reader.mayRead(AlertKind.valueOf(a.kind))) {
                throw SentinelException.denied(AlertReader.CHECK_INS_ONLY);
            }
            return shown(reader, List.of(a)).map(list -> list.get(0));
        });
    }

    /**
     * A page of the alerts the caller may read. A reviewer-only caller gets check-in alerts only; its
     * filter for another kind is refused (PERMISSION_DENIED) rather than answered with an empty page,
     * which would read as "there are none".
     */
    @WithSession
    public Uni<ListAlertsResponse> list(Caller caller, String subjectId, AlertState state, AlertKind kind, int pageSize,
            String pageToken) {
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
        return alerts.page(caller.agencyId(), subject, stateName, kinds, after, size).flatMap(list -> shown(reader, list).map(shown -> {
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
