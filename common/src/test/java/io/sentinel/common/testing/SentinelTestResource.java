package io.sentinel.common.testing;

import java.util.HashMap;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Gives a service under test a real PostgreSQL database (over TLS) and test signing keys. It
 * starts the project's own PostgreSQL cluster with scripts/postgres.sh (installing it if needed),
 * so {@code ./mvnw verify} needs nothing set up beforehand. Init args: {@code database} names the
 * service's test database, {@code service} the service under test (whose token key it gets).
 *
 * <p>The deployment under test acts as {@link TestTokens#OWN_AGENCY} and also holds the data of
 * every {@code agency-*} agency, so each test can have an agency of its own; {@code police-*}
 * agencies are its partners.
 */
public class SentinelTestResource implements QuarkusTestResourceLifecycleManager {
    private String database;
    private String service;

    @Override
    public void init(Map<String, String> initArgs) {
        database = initArgs.getOrDefault("database", "sentinel_test");
        service = initArgs.get("service");
    }

    @Override
    public Map<String, String> start() {
        TestPostgres.ensureDatabase(database);
        Map<String, String> config = new HashMap<>();
        String url = "postgresql://127.0.0.1:" + TestPostgres.port() + "/" + database;
        config.put("quarkus.datasource.reactive.url", url);
        config.put("quarkus.datasource.jdbc.url", "jdbc:" + url);
        // As in production: the service runs as a role that cannot rewrite its audit log, and
        // migrations (which own the log and its triggers) run as another.
        config.put("quarkus.datasource.username", APP_ROLE);
        config.put("quarkus.datasource.password", "unused-with-trust-auth");
        config.put("quarkus.flyway.username", "postgres");
        config.put("quarkus.flyway.password", "unused-with-trust-auth");
        config.put("sentinel.audit.key-file", TestKeys.auditKey().toString());
        config.put("sentinel.audit.checkpoint-dir", checkpointDir().toString());
        config.putAll(TestPostgres.tlsClientConfig());
        config.put("mp.jwt.verify.publickey.location", TestKeys.trustedPublicKey().toUri().toString());
        config.put("mp.jwt.verify.issuer", TestTokens.ISSUER);
        config.put("mp.jwt.verify.audiences", TestTokens.AUDIENCE);
        if (service != null) {
            config.put("smallrye.jwt.sign.key.location", TestKeys.servicePrivateKey(service).toUri().toString());
        }
        config.put("sentinel.service-token.peer-keys", TestKeys.peerKeysDir().toString());
        config.put("sentinel.agency.id", TestTokens.OWN_AGENCY);
        config.put("sentinel.agency.served", TestTokens.OWN_AGENCY + ",agency-*");
        config.put("sentinel.agency.partners", "police-*");
        return config;
    }

    /** The role services run as in tests, as scripts/postgres.sh creates it. */
    public static final String APP_ROLE = "sentinel_app";

    /**
     * A fresh checkpoint directory per start: each test run cleans its database, and checkpoints of
     * the previous run's chain would (rightly) report its records as deleted.
     */
    private static java.nio.file.Path checkpointDir() {
        try {
            java.nio.file.Path base = java.nio.file.Path.of(System.getProperty("user.dir"), "target", "audit-checkpoints");
            java.nio.file.Files.createDirectories(base);
            return java.nio.file.Files.createTempDirectory(base, "run-");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        // The cluster is shared by every module's tests and left running; it is cheap and idempotent.
    }
}
