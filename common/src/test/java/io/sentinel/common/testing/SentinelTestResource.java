package io.sentinel.common.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Gives a service under test a real PostgreSQL database and test signing keys. It starts the
 * project's own PostgreSQL cluster with scripts/postgres.sh (installing it if needed), so
 * {@code ./mvnw verify} needs nothing set up beforehand. Init arg {@code database} names the
 * service's test database.
 */
public class SentinelTestResource implements QuarkusTestResourceLifecycleManager {
    private String database;

    @Override
    public void init(Map<String, String> initArgs) {
        database = initArgs.getOrDefault("database", "sentinel_test");
    }

    @Override
    public Map<String, String> start() {
        Postgres.ensureDatabase(database);
        Map<String, String> config = new HashMap<>();
        String url = "postgresql://127.0.0.1:" + Postgres.port() + "/" + database;
        config.put("quarkus.datasource.reactive.url", url);
        config.put("quarkus.datasource.jdbc.url", "jdbc:" + url);
        config.put("quarkus.datasource.username", "postgres");
        config.put("mp.jwt.verify.publickey.location", TestKeys.trustedPublicKey().toUri().toString());
        config.put("mp.jwt.verify.issuer", TestTokens.ISSUER);
        config.put("smallrye.jwt.sign.key.location", TestKeys.trustedPrivateKey().toUri().toString());
        config.put("sentinel.agency.id", "test-agency");
        return config;
    }

    @Override
    public void stop() {
        // The cluster is shared by every module's tests and left running; it is cheap and idempotent.
    }

    /** The project's PostgreSQL cluster, driven through scripts/postgres.sh. */
    public static final class Postgres {
        private Postgres() {
        }

        public static int port() {
            String p = System.getenv("SENTINEL_PG_PORT");
            return p == null || p.isBlank() ? 55432 : Integer.parseInt(p);
        }

        public static Path repoRoot() {
            String root = System.getProperty("sentinel.repo.root");
            Path p = root != null ? Path.of(root) : Path.of(System.getProperty("user.dir")).getParent();
            if (!Files.exists(p.resolve("scripts/postgres.sh"))) {
                throw new IllegalStateException("cannot find scripts/postgres.sh under " + p + "; set -Dsentinel.repo.root");
            }
            return p;
        }

        public static synchronized void ensureDatabase(String database) {
            run("start");
            run("createdb", database);
        }

        public static void run(String... args) {
            List<String> cmd = new java.util.ArrayList<>();
            cmd.add(repoRoot().resolve("scripts/postgres.sh").toString());
            cmd.addAll(List.of(args));
            try {
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes());
                if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new IllegalStateException("scripts/postgres.sh " + String.join(" ", args) + " failed:\n" + out);
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
