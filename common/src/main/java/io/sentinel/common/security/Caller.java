package io.sentinel.common.security;

import java.time.Instant;
import java.util.Set;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.security.identity.SecurityIdentity;
import io.sentinel.common.error.SentinelException;

/**
 * Who is calling: the token's subject, the agency it acts for, its roles here (a partner agency's
 * user has only {@code partner}; a service only {@code service}) and when its token expires.
 *
 * <p>{@code brokerDevice} marks the one caller that has no token: a device that the agency's MQTT
 * broker authenticated by its own password (location-svc's MQTT path builds it per message with
 * {@link #brokerDevice(String, String)}). Nothing read from a token ever sets it, so a token whose
 * {@code sub} happens to read {@code device:...} is an ordinary gateway with that name.
 */
public record Caller(String subject, String agencyId, Set<String> roles, Instant tokenExpiresAt, boolean brokerDevice) {

    /** The subject prefix of a broker-authenticated device: {@code device:<its MQTT user name>}. */
    public static final String DEVICE_SUBJECT_PREFIX = "device:";

    public Caller(String subject, String agencyId, Set<String> roles, Instant tokenExpiresAt) {
        this(subject, agencyId, roles, tokenExpiresAt, false);
    }

    public Caller(String subject, String agencyId, Set<String> roles) {
        this(subject, agencyId, roles, null, false);
    }

    /** Reads a verified identity; a token without an agency claim is refused. */
    public static Caller of(SecurityIdentity identity, JsonWebToken token) {
        String agency = token.getClaim(Roles.AGENCY_CLAIM);
        if (agency == null || agency.isBlank()) {
            throw SentinelException.unauthenticated("token has no '" + Roles.AGENCY_CLAIM + "' claim");
        }
        long exp = token.getExpirationTime();
        return new Caller(token.getSubject(), agency, Set.copyOf(identity.getRoles()), exp > 0 ? Instant.ofEpochSecond(exp) : null);
    }

    /**
     * A device that reports for itself through the agency's MQTT broker, which authenticated it by its
     * own password under {@code mqttUser} (the device's UUID or registered serial). It acts as a device
     * gateway of {@code agencyId} that may report only the device it names.
     */
    public static Caller brokerDevice(String mqttUser, String agencyId) {
        return new Caller(DEVICE_SUBJECT_PREFIX + mqttUser, agencyId, Set.of(Roles.DEVICE_GATEWAY), null, true);
    }

    /** The device identifier a broker-authenticated device logged in as; null for every other caller. */
    public String brokerDeviceIdentifier() {
        return brokerDevice ? subject.substring(DEVICE_SUBJECT_PREFIX.length()) : null;
    }

    public boolean has(String role) {
        return roles.contains(role);
    }

    public boolean isService() {
        return roles.contains(Roles.SERVICE);
    }
}
