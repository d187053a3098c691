package io.sentinel.biometric;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The audit tests' profile: the scheduled sealing is off, so a test seals when it chooses
 * ({@code AuditChainer.sealPending()}) and a record keeps the row version its transaction wrote.
 */
public class ManualSealing implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("sentinel.audit.seal-every", "off");
    }
}
