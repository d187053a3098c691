package io.sentinel.location.mqtt;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.StartupEvent;

/**
 * With OwnTracks over MQTT switched on, location-svc refuses to start without its broker
 * password and the CA that verifies the broker: it never reads a broker anonymously or without
 * knowing whom it talks to.
 */
@ApplicationScoped
public class MqttSettings {
    private final boolean enabled;
    private final Optional<String> password;
    private final Optional<String> ca;

    public MqttSettings(@ConfigProperty(name = "mp.messaging.incoming.owntracks.enabled", defaultValue = "false") boolean enabled,
            @ConfigProperty(name = "mp.messaging.incoming.owntracks.password") Optional<String> password,
            @ConfigProperty(name = "mp.messaging.incoming.owntracks.ssl.truststore.location") Optional<String> ca) {
        this.enabled = enabled;
        this.password = password;
        this.ca = ca;
    }

    void check(@Observes StartupEvent start) {
        String problem = problem();
        if (problem != null) {
            throw new IllegalStateException(problem);
        }
    }

    String problem() {
        if (!enabled) {
            return null;
        }
        if (password.filter(p -> !p.isBlank()).isEmpty()) {
            return "SENTINEL_MQTT_ENABLED is true but MQTT_PASSWORD is not set: location-svc reads the broker with its own credentials";
        }
        if (ca.filter(c -> !c.isBlank()).isEmpty()) {
            return "SENTINEL_MQTT_ENABLED is true but MQTT_CA_FILE is not set: the broker is verified against the agency's CA";
        }
        if (!Files.isReadable(Path.of(ca.get()))) {
            return "MQTT_CA_FILE " + ca.get() + " cannot be read";
        }
        return null;
    }
}
