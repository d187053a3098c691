package io.sentinel.location.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.sentinel.common.error.SentinelException;
import io.sentinel.common.security.Caller;
import io.sentinel.common.security.Roles;

class GatewayBindingTest {
    static final UUID DEVICE = UUID.fromString("0190f5a2-7c1e-7b3a-9d4e-2f6a8b0c1d2e");
    static final String SERIAL = "356938035643809";
    static final UUID OTHER = UUID.fromString("0190f5a2-7c1e-7b3a-9d4e-000000000000");

    static Caller gateway(String subject) {
        return new Caller(subject, "agency-a", Set.of(Roles.DEVICE_GATEWAY));
    }

    static Optional<Violation> check(Caller caller, UUID device, String serial, Set<String> bound) {
        return GatewayBinding.refusal(caller, device.toString(), device, serial, bound);
    }

    @Test
    void aGatewayBoundToTheDeviceMayReportIt() {
        assertEquals(Optional.empty(), check(gateway("gw-1"), DEVICE, SERIAL, Set.of("gw-0", "gw-1")));
    }

    @Test
    void anotherGatewayIsRefusedWithPermissionDeniedNamingItAndTheDevice() {
        Violation v = check(gateway("gw-2"), DEVICE, SERIAL, Set.of("gw-1")).orElseThrow();
        assertEquals(new Violation("device_id", "gateway 'gw-2' is not bound to device " + DEVICE, SentinelException.Kind.PERMISSION_DENIED), v);
    }

    @Test
    void theRefusalNamesTheDeviceAsTheReportNamedIt() {
        Violation v = GatewayBinding.refusal(gateway("gw-2"), SERIAL, DEVICE, SERIAL, Set.of("gw-1")).orElseThrow();
        assertEquals("gateway 'gw-2' is not bound to device " + SERIAL, v.message());
    }

    @Test
    void aDeviceBoundToNoGatewayIsReportedByNone() {
        for (String gw : new String[] { "gw-1", "", "device:" + DEVICE, "*" }) {
            assertTrue(check(gateway(gw), DEVICE, SERIAL, Set.of()).isPresent(), gw);
        }
    }

    @Test
    void aTokenWithoutASubjectIsNoGateway() {
        Violation v = check(gateway(null), DEVICE, SERIAL, Set.of("gw-1")).orElseThrow();
        assertEquals("gateway '' is not bound to device " + DEVICE, v.message());
        assertTrue(check(gateway(""), DEVICE, SERIAL, Set.of("")).isPresent());
    }

    @Test
    void aBrokerAuthenticatedDeviceReportsItselfByUuidOrSerialWhateverTheBinding() {
        assertEquals(Optional.empty(), check(Caller.brokerDevice(DEVICE.toString(), "agency-a"), DEVICE, SERIAL, Set.of()));
        assertEquals(Optional.empty(), check(Caller.brokerDevice(DEVICE.toString().toUpperCase(), "agency-a"), DEVICE, SERIAL, Set.of()));
        assertEquals(Optional.empty(), check(Caller.brokerDevice(SERIAL, "agency-a"), DEVICE, SERIAL, Set.of("gw-1")));
        assertEquals(Optional.empty(), check(Caller.brokerDevice(SERIAL, "agency-a"), DEVICE, SERIAL, Set.of()));
    }

    @Test
    void aBrokerAuthenticatedDeviceReportsNoOtherDevice() {
        Violation v = check(Caller.brokerDevice(DEVICE.toString(), "agency-a"), OTHER, null, Set.of("gw-1")).orElseThrow();
        assertEquals(new Violation("device_id", "gateway 'device:" + DEVICE + "' is not bound to device " + OTHER,
                SentinelException.Kind.PERMISSION_DENIED), v);
        assertTrue(check(Caller.brokerDevice(SERIAL, "agency-a"), OTHER, "356938035643810", Set.of()).isPresent());
        // Even a binding that names the device form does not let one device report another.
        assertTrue(check(Caller.brokerDevice(DEVICE.toString(), "agency-a"), OTHER, null, Set.of("device:" + DEVICE)).isPresent());
    }

    @Test
    void aTokenCannotClaimTheBrokerDeviceForm() {
        Caller token = gateway("device:" + DEVICE);
        assertNull(token.brokerDeviceIdentifier());
        assertTrue(check(token, DEVICE, SERIAL, Set.of("gw-1")).isPresent());
        assertTrue(check(gateway("device:" + SERIAL), DEVICE, SERIAL, Set.of("gw-1")).isPresent());
        // It is a gateway name like any other: a caseworker may bind it explicitly.
        assertEquals(Optional.empty(), check(token, DEVICE, SERIAL, Set.of("device:" + DEVICE)));
    }

    @Test
    void theBrokerDeviceCallerCarriesTheDeviceItLoggedInAs() {
        Caller c = Caller.brokerDevice("imei-1", "agency-a");
        assertEquals("device:imei-1", c.subject());
        assertEquals("imei-1", c.brokerDeviceIdentifier());
        assertEquals("agency-a", c.agencyId());
        assertEquals(Set.of(Roles.DEVICE_GATEWAY), c.roles());
        assertTrue(c.brokerDevice());
    }
}
