package io.sentinel.common.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The project's PostgreSQL cluster for tests, driven through scripts/postgres.sh. */
public final class TestPostgres {
    private TestPostgres() {
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

    /**
     * How a service connects to the cluster: over TLS, the server verified against the development
     * CA and by host name, as in production.
     */
    public static java.util.Map<String, String> tlsClientConfig() {
        String ca = caCertificate();
        return java.util.Map.of(
                "quarkus.datasource.reactive.postgresql.ssl-mode", "verify-full",
                "quarkus.datasource.reactive.trust-certificate-pem.certs", ca,
                "quarkus.datasource.reactive.hostname-verification-algorithm", "HTTPS",
                "quarkus.datasource.jdbc.additional-jdbc-properties.sslmode", "verify-full",
                "quarkus.datasource.jdbc.additional-jdbc-properties.sslrootcert", ca);
    }

    /** The CA certificate file clients of the cluster must trust. */
    public static synchronized String caCertificate() {
        return run("ca").strip();
    }

    public static synchronized void ensureDatabase(String database) {
        run("start");
        run("createdb", database);
    }

    public static String run(String... args) {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(repoRoot().resolve("scripts/postgres.sh").toString());
        cmd.addAll(List.of(args));
        try {
            Path errors = Files.createTempFile("postgres-sh", ".err");
            try {
                Process p = new ProcessBuilder(cmd).redirectError(errors.toFile()).start();
                String out = new String(p.getInputStream().readAllBytes());
                if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new IllegalStateException("scripts/postgres.sh " + String.join(" ", args) + " failed:\n" + out
                            + Files.readString(errors));
                }
                return out;
            } finally {
                Files.deleteIfExists(errors);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
