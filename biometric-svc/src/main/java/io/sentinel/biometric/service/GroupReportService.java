package io.sentinel.biometric.service;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.sentinel.api.biometric.v1.DisparityStatus;
import io.sentinel.api.biometric.v1.GetGroupReportRequest;
import io.sentinel.api.biometric.v1.GetGroupReportResponse;
import io.sentinel.api.biometric.v1.GroupVerificationStats;
import io.sentinel.biometric.domain.DisparityRule;
import io.sentinel.biometric.domain.GroupReport;
import io.sentinel.common.audit.AuditLog;
import io.sentinel.common.audit.Justification;
import io.sentinel.common.error.SentinelException;
import io.sentinel.common.security.Caller;
import io.sentinel.common.util.Timestamps;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Per demographic group verification rates of one agency, for spotting a group the model serves
 * worse: the counts come from SQL, the statistics from {@link GroupReport}. It names no subject, but
 * it is drawn from the agency's check-ins: it is read like any personal data, with a stated purpose
 * and reference, and recorded (with no subjects).
 */
@ApplicationScoped
public class GroupReportService {
    static final String UNRECORDED = "unrecorded";

    private final Pool pool;
    private final double warningFactor;
    private final AuditLog audit;

    public GroupReportService(Pool pool, @ConfigProperty(name = "sentinel.biometric.group-warning-factor") double warningFactor,
            AuditLog audit) {
        this.pool = pool;
        this.audit = audit;
        this.warningFactor = warningFactor;
    }

    /** The report of the caller's agency only. */
    public Uni<GetGroupReportResponse> report(Caller caller, Justification why, GetGroupReportRequest r) {
        return audit.read(caller, why, AuditActions.GROUP_REPORT_READ, List.of(), () -> compute(caller, r), x -> List.of());
    }

    private Uni<GetGroupReportResponse> compute(Caller caller, GetGroupReportRequest r) {
        Instant from = r.hasFrom() ? Timestamps.required("from", r.getFrom()) : Instant.EPOCH;
        Instant to = r.hasTo() ? Timestamps.required("to", r.getTo()) : Instant.parse("9999-01-01T00:00:00Z");
        if (!to.isAfter(from)) {
            throw SentinelException.invalid("to", "must be after from");
        }
        return pool.preparedQuery("""
                select coalesce(s.demographic_group, $4) as grp, count(*) as verifications,
                       count(*) filter (where c.review_state = 'REVIEW_STATE_NOT_REQUIRED') as auto_matches,
                       count(*) filter (where c.review_state <> 'REVIEW_STATE_NOT_REQUIRED') as manual_reviews,
                       count(*) filter (where c.review_state = 'REVIEW_STATE_CONFIRMED_NO_MATCH') as confirmed_no_matches,
                       count(*) filter (where c.outcome = 'VERIFICATION_OUTCOME_MATCH'
                                           or c.review_state = 'REVIEW_STATE_CONFIRMED_MATCH') as genuine,
                       count(*) filter (where c.outcome <> 'VERIFICATION_OUTCOME_MATCH'
                                          and c.review_state = 'REVIEW_STATE_CONFIRMED_MATCH') as false_non_matches,
                       count(*) filter (where c.review_state = 'REVIEW_STATE_PENDING') as pending_reviews
                from check_in c join check_in_schedule s on s.subject_id = c.subject_id
                where c.owning_agency_id = $1 and c.received_at >= $2 and c.received_at < $3
                group by 1""")
                .execute(Tuple.of(caller.agencyId(), from.atOffset(ZoneOffset.UTC), to.atOffset(ZoneOffset.UTC), UNRECORDED))
                .map(rows -> {
                    List<GroupReport.Counts> counts = new ArrayList<>();
                    for (Row row : rows) {
                        counts.add(new GroupReport.Counts(row.getString("grp"), row.getLong("verifications"), row.getLong("auto_matches"),
                                row.getLong("manual_reviews"), row.getLong("confirmed_no_matches"), row.getLong("genuine"),
                                row.getLong("false_non_matches"), row.getLong("pending_reviews")));
                    }
                    GroupReport.Result report = GroupReport.compute(counts, warningFactor);
                    GetGroupReportResponse.Builder b = GetGroupReportResponse.newBuilder().setWarningFactor(warningFactor)
                            .setReferenceGroup(report.referenceGroup() == null ? "" : report.referenceGroup())
                            .setConfidenceLevel(0.95).setGenuineNeededCap(DisparityRule.NEEDED_CAP);
                    for (GroupReport.Row g : report.rows()) {
                        b.addGroups(stats(g));
                    }
                    return b.build();
                });
    }

    static GroupVerificationStats stats(GroupReport.Row g) {
        GroupVerificationStats.Builder s = GroupVerificationStats.newBuilder().setGroup(g.group()).setVerifications(g.verifications())
                .setAutoMatchRate(g.autoMatchRate()).setManualReviewRate(g.manualReviewRate())
                .setConfirmedNoMatchRate(g.confirmedNoMatchRate()).setAutoMatchRatioToBest(g.autoMatchRatio())
                .setManualReviewRatioToBest(g.manualReviewRatio()).setConfirmedNoMatchRatioToBest(g.confirmedNoMatchRatio())
                .setWarning(g.warning())
                .setConfirmedNoMatches(g.confirmedNoMatch().numerator())
                .setConfirmedNoMatchRateLower(g.confirmedNoMatch().lower()).setConfirmedNoMatchRateUpper(g.confirmedNoMatch().upper())
                .setPendingReviews(g.pendingReviews())
                .setDisparityStatus(DisparityStatus.valueOf("DISPARITY_STATUS_" + g.disparity().name()))
                .setDisparityWarning(g.disparityWarning());
        if (g.falseNonMatch() != null) {
            s.setGenuineCheckIns(g.falseNonMatch().denominator()).setFalseNonMatches(g.falseNonMatch().numerator())
                    .setFalseNonMatchRate(g.falseNonMatch().rate()).setFalseNonMatchRateLower(g.falseNonMatch().lower())
                    .setFalseNonMatchRateUpper(g.falseNonMatch().upper());
        }
        if (g.needed() != null) {
            s.setGenuineNeeded(g.needed().n()).setMoreGenuineNeeded(g.needed().moreForGroup())
                    .setReferenceMoreGenuineNeeded(g.needed().moreForReference()).setGenuineNeededExceedsCap(g.needed().exceedsCap());
        }
        return s.build();
    }
}
