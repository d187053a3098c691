package io.sentinel.common.testing;

import java.util.HashMap;
import java.util.Map;

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
        TestPostgres.ensureDatabase(database);
        Map<String, String> config = new HashMap<>();
        String url = "postgresql://127.0.0.1:" + TestPostgres.port() + "/" + database;
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
}
