package io.sentinel.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@code ./sentinel} tells a running service from a crashed one: by the process its pid file
 * names being alive and being that service's JVM. A crashed JVM left as a zombie, or a pid since
 * reused by another program, is not the service, so {@code up} starts it again.
 */
class SentinelScriptTest {
    @TempDir
    Path home;
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stop() {
        started.forEach(Process::destroyForcibly);
    }

    @Test
    void aZombieOrAReusedPidIsNotARunningService() throws Exception {
        Path run = Files.createDirectories(home.resolve("run"));
        // A child that exited and that nobody reaps: what a crashed JVM can linger as. Its parent
        // prints its pid, then becomes a program that never waits for children.
        Process parent = start("bash", "-c", "sleep 0 & echo $!; exec sleep 120");
        String zombie = new String(parent.getInputStream().readNBytes(16), StandardCharsets.US_ASCII).trim().split("\\s+")[0];
        awaitZombie(zombie);
        Files.writeString(run.resolve("location-svc.pid"), zombie);
        // A pid now used by some other program.
        Files.writeString(run.resolve("rules-svc.pid"), Long.toString(start("sleep", "120").pid()));
        // A live process that is the service's JVM (by its command line).
        Files.writeString(run.resolve("enrollment-svc.pid"),
                Long.toString(start("sh", "-c", "sleep 120; :", "enrollment-svc/target/quarkus-app/quarkus-run.jar").pid()));

        String status = sentinel("status");
        assertThat(status).containsPattern("location-svc\\s+stopped").containsPattern("rules-svc\\s+stopped")
                .containsPattern("biometric-svc\\s+stopped").containsPattern("enrollment-svc\\s+pid");
    }

    private Process start(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        started.add(p);
        return p;
    }

    private static void awaitZombie(String pid) throws Exception {
        Path stat = Path.of("/proc", pid, "stat");
        for (int i = 0; i < 200; i++) {
            if (Files.exists(stat) && Files.readString(stat).replaceFirst(".*\\) ", "").startsWith("Z")) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("pid " + pid + " did not become a zombie");
    }

    private String sentinel(String command) throws Exception {
        Path root = Path.of(System.getProperty("sentinel.repo.root", "..")).toAbsolutePath().normalize();
        ProcessBuilder pb = new ProcessBuilder(root.resolve("sentinel").toString(), command).redirectErrorStream(true);
        pb.environment().put("SENTINEL_HOME", home.toString());
        pb.environment().put("SENTINEL_PKI_DIR", home.resolve("pki").toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out;
    }
}
