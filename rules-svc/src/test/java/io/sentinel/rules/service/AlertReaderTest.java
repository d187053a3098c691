package io.sentinel.rules.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;

import org.junit.jupiter.api.Test;

import io.sentinel.api.rules.v1.AlertKind;
import io.sentinel.common.security.Caller;

class AlertReaderTest {
    static AlertReader reader(String agency, String... roles) {
        return AlertReader.of(new Caller("someone", agency, Set.of(roles)));
    }

    @Test
    void theOwningAgencySeesItsAlertsInFull() {
        AlertReader alice = reader("agency-a", "caseworker");
        assertThat(alice.sightOf("agency-a", false)).isEqualTo(AlertSight.FULL);
        assertThat(alice.needsLocationGrant("agency-a")).isFalse();
    }

    @Test
    void anotherAgencySeesLocationsOnlyWithALocationTrailGrant() {
        AlertReader police = reader("police-met", "partner");
        assertThat(police.needsLocationGrant("agency-a")).isTrue();
        assertThat(police.sightOf("agency-a", false)).isEqualTo(AlertSight.WITHOUT_LOCATION);
        assertThat(police.sightOf("agency-a", true)).isEqualTo(AlertSight.FULL);
        assertThat(reader("agency-b", "caseworker").sightOf("agency-a", false)).isEqualTo(AlertSight.WITHOUT_LOCATION);
    }

    @Test
    void aReviewerOnlyReadsCheckInAlertsWithoutLocationsEvenOfItsOwnAgency() {
        AlertReader rita = reader("agency-a", "reviewer");
        assertThat(rita.checkInsOnly()).isTrue();
        for (AlertKind kind : AlertKind.values()) {
            boolean checkIn = kind == AlertKind.ALERT_KIND_CHECK_IN_MISSED || kind == AlertKind.ALERT_KIND_CHECK_IN_FAILED;
            assertThat(rita.mayRead(kind)).as(kind.name()).isEqualTo(checkIn);
        }
        assertThat(rita.sightOf("agency-a", false)).isEqualTo(AlertSight.WITHOUT_LOCATION);
        assertThat(rita.sightOf("agency-b", true)).isEqualTo(AlertSight.WITHOUT_LOCATION);
        assertThat(rita.needsLocationGrant("agency-b")).isFalse();
    }

    @Test
    void aReviewerWhoIsAlsoACaseworkerOrPartnerReadsAsSuch() {
        for (String other : new String[] { "caseworker", "partner" }) {
            AlertReader r = reader("agency-a", "reviewer", other);
            assertThat(r.checkInsOnly()).as(other).isFalse();
            assertThat(r.mayRead(AlertKind.ALERT_KIND_EXCLUSION_ZONE_ENTERED)).isTrue();
            assertThat(r.sightOf("agency-a", false)).isEqualTo(AlertSight.FULL);
        }
    }

    @Test
    void callersWithoutTheReviewerRoleReadEveryKind() {
        for (AlertKind kind : AlertKind.values()) {
            assertThat(reader("agency-a", "caseworker").mayRead(kind)).isTrue();
            assertThat(reader("police-met", "partner").mayRead(kind)).isTrue();
        }
    }
}
