package io.sentinel.enrollment.service;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.sentinel.api.common.v1.DeviceType;
import io.sentinel.api.common.v1.LocationCadence;
import io.sentinel.api.enrollment.v1.Conditions;
import io.sentinel.api.enrollment.v1.OrderState;
import io.sentinel.common.error.Check;
import io.sentinel.common.error.SentinelException;
import io.sentinel.common.security.Caller;
import io.sentinel.enrollment.domain.PrivacyNotice;
import io.sentinel.enrollment.domain.RetentionSchedule;
import io.sentinel.enrollment.repository.AgencyEntity;
import io.sentinel.enrollment.repository.OrderEntity;
import io.sentinel.enrollment.repository.Repositories;
import io.smallrye.mutiny.Uni;

/** Gathers one subject's order, grants and retention dates and writes the privacy notice from them. */
@ApplicationScoped
public class PrivacyNoticeService {
    private final Repositories.Subjects subjects;
    private final Repositories.Orders orders;
    private final Repositories.Grants grants;
    private final Repositories.Agencies agencies;
    private final RetentionService retention;

    public PrivacyNoticeService(Repositories.Subjects subjects, Repositories.Orders orders, Repositories.Grants grants,
            Repositories.Agencies agencies, RetentionService retention) {
        this.subjects = subjects;
        this.orders = orders;
        this.grants = grants;
        this.agencies = agencies;
        this.retention = retention;
    }

    @WithSession
    public Uni<PrivacyNotice.Notice> notice(Caller caller, String subjectId, String language) {
        UUID sid = Check.uuid("subject_id", subjectId);
        if (language != null && !language.isBlank()) {
            io.sentinel.enrollment.domain.SubjectChecks.language("language", language);
        }
        return subjects.findById(sid).flatMap(s -> {
            if (s == null || !s.owningAgencyId.equals(caller.agencyId())) {
                throw SentinelException.notFound("subject", subjectId);
            }
            String lang = language == null || language.isBlank() ? s.preferredLanguage : language;
            return orders.find("subjectId = ?1 order by startsAt desc, orderId desc", sid).list().flatMap(all -> {
                // The notice describes the order in force, or the most recent one once monitoring has ended.
                OrderEntity order = all.stream().filter(o -> OrderState.ORDER_STATE_ACTIVE.name().equals(o.state)).findFirst()
                        .orElse(all.isEmpty() ? null : all.get(0));
                if (order == null) {
                    throw SentinelException.precondition("subject_id", "subject has no monitoring order to describe");
                }
                Instant lastEnd = all.stream().map(o -> o.endsAt).max(Instant::compareTo).orElseThrow();
                return grants.inForce(sid, Instant.now()).flatMap(held -> {
                    Set<String> ids = new HashSet<>();
                    ids.add(s.owningAgencyId);
                    held.forEach(g -> ids.add(g.agencyId));
                    return agencies.list("agencyId in ?1", ids).flatMap(named -> retention.policy(s.owningAgencyId).map(policy -> {
                        Map<String, String> names = new HashMap<>();
                        for (AgencyEntity a : named) {
                            names.put(a.agencyId, a.name);
                        }
                        Conditions c = EnrollmentMapping.conditions(order);
                        Map<String, Instant> until = new LinkedHashMap<>();
                        RetentionSchedule.dueDates(lastEnd, policy).forEach((cat, i) -> until.put(cat.wireName(), i));
                        List<PrivacyNotice.Recipient> recipients = new ArrayList<>();
                        held.forEach(g -> recipients.add(new PrivacyNotice.Recipient(g.agencyId, names.getOrDefault(g.agencyId, g.agencyId),
                                Arrays.asList(g.categories.split(",")), g.purpose, g.validUntil)));
                        PrivacyNotice.Facts facts = new PrivacyNotice.Facts(s.subjectId.toString(),
                                names.getOrDefault(s.owningAgencyId, s.owningAgencyId), order.legalAuthority, order.startsAt, order.endsAt,
                                order.reviewDueAt, DeviceType.DEVICE_TYPE_FITTED_ANKLE_TAG.name().equals(order.deviceType),
                                c.getCadence() == LocationCadence.LOCATION_CADENCE_CONTINUOUS_TRAIL, c.getZonesCount(), c.getCurfewsCount(),
                                c.getCheckIns().getPerDay(), c.getCheckIns().getWindowStart(), c.getCheckIns().getWindowEnd(),
                                c.getTimeZone().isEmpty() ? ZoneId.of("UTC") : ZoneId.of(c.getTimeZone()), until, recipients,
                                order.demographicGroup, order.demographicBasis);
                        return PrivacyNotice.write(facts, lang);
                    }));
                });
            });
        });
    }
}
