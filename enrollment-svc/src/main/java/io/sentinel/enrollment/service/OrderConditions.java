package io.sentinel.enrollment.service;

import java.util.UUID;

import io.sentinel.api.common.v1.Curfew;
import io.sentinel.api.common.v1.LocationCadence;
import io.sentinel.api.common.v1.Zone;
import io.sentinel.api.enrollment.v1.Conditions;
import io.sentinel.common.conditions.ConditionsInput;
import io.sentinel.common.conditions.ConditionsValidator;
import io.sentinel.common.error.SentinelException;
import io.sentinel.enrollment.domain.ConditionChecks;
import io.sentinel.enrollment.domain.SubjectChecks;
import io.smallrye.mutiny.Uni;

/**
 * Validates an order's conditions and assigns identifiers to new zones and curfews. Zones, curfews
 * and the time zone go through the one validator rules-svc applies to PutSubjectConditions
 * ({@link ConditionsValidator}), so what a caseworker is told is accepted here, rules-svc accepts;
 * the check-in policy and cadence, which rules-svc never sees, are checked here alone.
 */
public final class OrderConditions {
    private OrderConditions() {
    }

    /**
     * The conditions as they will be stored and sent: missing zone and curfew ids assigned, every
     * rule checked. Throws INVALID_ARGUMENT naming the field under {@code f}. CPU work on up to
     * 50,000 vertices: from an event loop use {@link #normaliseOffEventLoop}.
     */
    public static Conditions normalise(String f, Conditions c) {
        Conditions withIds = withIds(c);
        ConditionsValidator.validate(f, ConditionsInput.of(withIds));
        var ci = c.getCheckIns();
        if (ci.getPerDay() > 0) {
            ConditionChecks.checkIns(f + ".check_ins", ci.getPerDay(), SubjectChecks.localTime(f + ".check_ins.window_start", ci.getWindowStart()),
                    SubjectChecks.localTime(f + ".check_ins.window_end", ci.getWindowEnd()));
        } else if (ci.getPerDay() < 0) {
            throw SentinelException.invalid(f + ".check_ins.per_day", "must be 0 to 5, got " + ci.getPerDay());
        }
        if (c.getCadence() == LocationCadence.LOCATION_CADENCE_UNSPECIFIED || c.getCadence() == LocationCadence.UNRECOGNIZED) {
            throw SentinelException.invalid(f + ".cadence", "must be CONTINUOUS_TRAIL or CURFEW_AND_ZONES_ONLY");
        }
        return withIds;
    }

    /** {@link #normalise} on a worker thread, resuming on the caller's Vert.x context. */
    public static Uni<Conditions> normaliseOffEventLoop(String f, Conditions c) {
        return ConditionsValidator.offEventLoop(() -> normalise(f, c));
    }

    /** A random UUID for every zone and curfew that has no id yet; given ids are kept (and validated). */
    static Conditions withIds(Conditions c) {
        Conditions.Builder out = c.toBuilder().clearZones().clearCurfews();
        for (Zone z : c.getZonesList()) {
            out.addZones(z.getZoneId().isEmpty() ? z.toBuilder().setZoneId(UUID.randomUUID().toString()).build() : z);
        }
        for (Curfew cu : c.getCurfewsList()) {
            out.addCurfews(cu.getCurfewId().isEmpty() ? cu.toBuilder().setCurfewId(UUID.randomUUID().toString()).build() : cu);
        }
        return out.build();
    }
}
