package io.sentinel.common.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.quarkus.runtime.LaunchMode;

class ServedAgenciesTest {

    @Test
    void servesItsOwnAgencyAndTreatsPartnersAsPartnersOnly() {
        ServedAgencies a = new ServedAgencies("uk-ho", List.of("uk-ho"), List.of("uk-police", "uk-moj"), LaunchMode.NORMAL);
        assertThat(a.own()).isEqualTo("uk-ho");
        assertThat(a.serves("uk-ho")).isTrue();
        assertThat(a.serves("uk-police")).isFalse();
        assertThat(a.isPartner("uk-police")).isTrue();
        assertThat(a.isPartner("uk-ho")).isFalse();
        assertThat(a.serves("uk-hox")).isFalse();
        assertThat(a.isPartner("nowhere")).isFalse();
        assertThat(a.serves(null)).isFalse();
    }

    @Test
    void prefixPatternsAreForTestsAndRefusedInProduction() {
        ServedAgencies t = new ServedAgencies("test-agency", List.of("test-agency", "agency-*"), List.of("police-*"), LaunchMode.TEST);
        assertThat(t.serves("agency-1234")).isTrue();
        assertThat(t.isPartner("police-met")).isTrue();
        assertThat(t.serves("agenc")).isFalse();
        assertThatThrownBy(() -> new ServedAgencies("uk-ho", List.of("uk-ho", "agency-*"), List.of(), LaunchMode.NORMAL))
                .hasMessageContaining("sentinel.agency.served: 'agency-*' is not an agency id").hasMessageContaining("for tests only");
        assertThatThrownBy(() -> new ServedAgencies("uk-ho", List.of("uk-ho"), List.of("*"), LaunchMode.NORMAL))
                .hasMessageContaining("sentinel.agency.partners");
    }

    @Test
    void refusesAMalformedOrMissingOwnAgency() {
        assertThatThrownBy(() -> new ServedAgencies("UK HO", List.of("UK HO"), List.of(), LaunchMode.NORMAL))
                .hasMessageContaining("sentinel.agency.id: 'UK HO' is not an agency id");
        assertThatThrownBy(() -> new ServedAgencies("uk-ho", List.of("uk-moj"), List.of(), LaunchMode.NORMAL))
                .hasMessageContaining("must include the deployment's own agency uk-ho");
    }
}
