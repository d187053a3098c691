package io.sentinel.rules.service;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.sentinel.api.rules.v1.AlertEvent;
import io.sentinel.common.audit.AuditLog;
import io.sentinel.common.audit.AuditRecord;
import io.sentinel.common.audit.Justification;
import io.sentinel.common.error.SentinelException;
import io.sentinel.common.security.Caller;
import io.sentinel.common.security.Roles;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Opens the alert feed under the subscriber's stated justification (the metadata of the stream
 * call, required when it opens; a partner also cites its grant, and then follows the one subject
 * that grant shares) and records each delivery: one "alerts.feed" record per batch sent, naming
 * the subjects delivered. A refused opening, and a feed ended because its grant lapsed, are
 * recorded as refusals.
 */
@ApplicationScoped
public class FeedSubscriptions {
    public static final String ACTION = "alerts.feed";

    private final AlertFeed feed;
    private final CitedGrants cited;
    private final AuditLog audit;

    public FeedSubscriptions(AlertFeed feed, CitedGrants cited, AuditLog audit) {
        this.feed = feed;
        this.cited = cited;
        this.audit = audit;
    }

    public Multi<AlertEvent> subscribe(Caller caller, Justification why, long afterCursor) {
        Justification j = why == null ? Justification.NONE : why;
        try {
            if (caller.has(Roles.PARTNER)) {
                j.requireGrant();
            } else {
                j.require();
            }
        } catch (SentinelException missing) {
            return audit.write(AuditRecord.of(caller, j, ACTION, List.of(), AuditRecord.REFUSED, missing.getMessage()))
                    .onItem().transformToMulti(x -> Multi.createFrom().failure(missing));
        }
        Uni<CitedGrants.Grant> grant = CitedGrants.cites(j) ? cited.check(caller, j) : Uni.createFrom().nullItem();
        AlertReader reader = AlertReader.of(caller);
        return grant.onFailure(AuditLog::refusal).call(t -> refused(caller, j, List.of(), t))
                .onItem().transformToMulti(g -> {
                    List<String> subject = g == null ? List.of() : List.of(g.subjectId().toString());
                    return feed.subscribe(reader, afterCursor, g == null ? null : g.grantId(), events -> audit.write(AuditRecord.of(caller, j,
                            ACTION, events.stream().map(e -> e.getAlert().getSubjectId()).distinct().toList(), AuditRecord.ALLOWED,
                            events.size() + (events.size() == 1 ? " event" : " events")))).onFailure(AuditLog::refusal)
                            .call(t -> refused(caller, j, subject, t));
                });
    }

    private Uni<Void> refused(Caller caller, Justification j, List<String> subjects, Throwable t) {
        return audit.write(AuditRecord.of(caller, j, ACTION, subjects, AuditRecord.REFUSED, t.getMessage()));
    }
}
