package io.sentinel.location.service;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** Points the rules client at {@link FakeRules} and polls fast, so delivery tests finish quickly. */
public class FakeRulesProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("quarkus.grpc.clients.rules.test-port", String.valueOf(FakeRules.PORT),
                "sentinel.forwarding.poll-interval", "1s",
                "sentinel.forwarding.deadline", "2s",
                "sentinel.device-health.sweep-interval", "1s");
    }
}
