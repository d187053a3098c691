package io.sentinel.location.mqtt;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.sentinel.common.testing.TestPostgres;

/**
 * Sentinel's own MQTT broker (scripts/mosquitto.sh: TLS only, a password per device, an ACL) on
 * a port of the tests' own, with location-svc reading it as in production.
 */
public class MosquittoTestResource implements QuarkusTestResourceLifecycleManager {
    static final int PORT = 58884;

    @Override
    public Map<String, String> start() {
        run("start");
        run("service-credentials");
        try {
            Path dir = Path.of(run("path").strip());
            return Map.of("mp.messaging.incoming.owntracks.enabled", "true",
                    "mp.messaging.incoming.owntracks.port", String.valueOf(PORT),
                    "mp.messaging.incoming.owntracks.password", Files.readString(dir.resolve("location-svc.password")).strip(),
                    "mp.messaging.incoming.owntracks.ssl.truststore.location", ca().toString());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        // Left running, like the tests' PostgreSQL: cheap, idempotent, and reused by the next run.
    }

    static Path ca() {
        return Path.of(run("ca").strip());
    }

    /** A device's password on the broker (made now, replacing any earlier one). */
    static String addDevice(String name) {
        return run("add-device", name).strip();
    }

    static String run(String... args) {
        String[] cmd = new String[args.length + 1];
        cmd[0] = TestPostgres.repoRoot().resolve("scripts/mosquitto.sh").toString();
        System.arraycopy(args, 0, cmd, 1, args.length);
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
            pb.environment().put("SENTINEL_MQTT_PORT", String.valueOf(PORT));
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new IllegalStateException("scripts/mosquitto.sh " + String.join(" ", args) + " failed: " + out);
            }
            return out;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
