package io.sentinel.rules.service;

import java.util.EnumSet;
import java.util.Set;

import io.sentinel.api.rules.v1.AlertKind;
import io.sentinel.common.security.Caller;
import io.sentinel.common.security.Roles;

/**
 * Who reads alerts, as far as what they may see depends on it: the agency, and whether the caller
 * reads as a reviewer only (role reviewer without caseworker or partner), who decides check-ins and
 * so reads check-in alerts only, without locations.
 */
public record AlertReader(String agencyId, boolean checkInsOnly) {
    /** The kinds a reviewer-only reader may read. */
    public static final Set<AlertKind> CHECK_IN_KINDS = EnumSet.of(AlertKind.ALERT_KIND_CHECK_IN_MISSED, AlertKind.ALERT_KIND_CHECK_IN_FAILED);
    /** Why a reviewer-only reader is refused an alert of another kind. */
    public static final String CHECK_INS_ONLY = "a reviewer may read check-in alerts only";

    public static AlertReader of(Caller caller) {
        return new AlertReader(caller.agencyId(),
                caller.has(Roles.REVIEWER) && !caller.has(Roles.CASEWORKER) && !caller.has(Roles.PARTNER));
    }

    public boolean mayRead(AlertKind kind) {
        return !checkInsOnly || CHECK_IN_KINDS.contains(kind);
    }

    /**
     * Whether seeing an alert of this owning agency in full depends on a location-trail grant, so the
     * grant must be looked up: only for another agency's alert, read by someone who is not reviewer-only.
     */
    public boolean needsLocationGrant(String owningAgencyId) {
        return !checkInsOnly && !agencyId.equals(owningAgencyId);
    }

    /**
     * How much this reader sees of an alert it may read: everything for the owning agency and for an
     * agency that also holds an unexpired grant covering location trails for the subject
     * ({@code locationGranted}); the alert without locations otherwise, and always for a reviewer-only reader.
     */
    public AlertSight sightOf(String owningAgencyId, boolean locationGranted) {
        if (checkInsOnly) {
            return AlertSight.WITHOUT_LOCATION;
        }
        return agencyId.equals(owningAgencyId) || locationGranted ? AlertSight.FULL : AlertSight.WITHOUT_LOCATION;
    }
}
