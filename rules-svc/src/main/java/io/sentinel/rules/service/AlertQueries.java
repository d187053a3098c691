package io.sentinel.rules.service;

import java.util.List;
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
import io.sentinel.rules.repository.AlertRepository;
import io.smallrye.mutiny.Uni;

/** Reads alerts for callers, showing each agency only what it may see: its own subjects and those shared with it for alerts. */
@ApplicationScoped
public class AlertQueries {
    private final AlertRepository alerts;

    public AlertQueries(AlertRepository alerts) {
        this.alerts = alerts;
    }

    @WithSession
    public Uni<Alert> get(Caller caller, String alertId) {
        UUID id = Check.uuid("alert_id", alertId);
        return alerts.findVisible(caller.agencyId(), id).map(a -> {
            // Not visible and not existing look the same, so ids cannot be probed across agencies.
            if (a == null) {
                throw SentinelException.notFound("alert", alertId);
            }
            return AlertMapping.toProto(a);
        });
    }

    @WithSession
    public Uni<ListAlertsResponse> list(Caller caller, String subjectId, AlertState state, AlertKind kind, int pageSize,
            String pageToken) {
        if (kind == AlertKind.UNRECOGNIZED) {
            throw SentinelException.invalid("kind", "unknown alert kind");
        }
        String kindName = kind == null || kind == AlertKind.ALERT_KIND_UNSPECIFIED ? null : kind.name();
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
        return alerts.page(caller.agencyId(), subject, stateName, kindName, after, size).map(list -> {
            ListAlertsResponse.Builder b = ListAlertsResponse.newBuilder();
            list.forEach(a -> b.addAlerts(AlertMapping.toProto(a)));
            if (list.size() == size) {
                b.setNextPageToken(PageToken.encode(list.get(list.size() - 1).alertId.toString()));
            }
            return b.build();
        });
    }

}
