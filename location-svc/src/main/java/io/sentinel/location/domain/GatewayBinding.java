package io.sentinel.location.domain;

import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import io.sentinel.common.security.Caller;

/**
 * Who may report a device's fixes: the gateways bound to it at enrollment, by the subject of their
 * token, or the device itself when the agency's MQTT broker authenticated it by its own password
 * ({@link Caller#brokerDevice}). Fails closed: a device bound to no gateway is reported by none.
 *
 * <p>The device form is taken only from a caller the MQTT path built, never from a token: a token
 * whose subject reads {@code device:<id>} is a gateway of that name like any other, and reports only
 * the devices that name is bound to.
 */
public final class GatewayBinding {
    private GatewayBinding() {
    }

    /**
     * Why {@code caller} may not report the device, or empty when it may.
     *
     * @param reportedAs  the identifier the report named the device by (named in the refusal)
     * @param deviceId    the device's Sentinel UUID
     * @param serial      the serial the device is registered with, or null
     * @param gatewayIds  the gateways the device is bound to
     */
    public static Optional<Violation> refusal(Caller caller, String reportedAs, UUID deviceId, String serial, Set<String> gatewayIds) {
        String subject = caller.subject() == null ? "" : caller.subject();
        String device = caller.brokerDeviceIdentifier();
        boolean allowed = device != null ? names(device, deviceId, serial) : !subject.isEmpty() && gatewayIds.contains(subject);
        return allowed ? Optional.empty() : Optional.of(Violation.notBound(subject, reportedAs));
    }

    /** Whether a device identifier (UUID in any letter case, or registered serial) names this device. */
    static boolean names(String identifier, UUID deviceId, String serial) {
        if (identifier.equals(serial)) {
            return true;
        }
        try {
            return identifier.length() == 36 && UUID.fromString(identifier).equals(deviceId);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
