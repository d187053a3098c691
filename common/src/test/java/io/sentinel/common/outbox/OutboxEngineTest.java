package io.sentinel.common.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.grpc.Metadata;
import io.grpc.Status;
import io.sentinel.common.error.SentinelException;
import io.sentinel.common.grpc.GrpcErrorMapping;
import io.sentinel.common.testing.SentinelTestResource;
import io.sentinel.common.testing.TestPostgres;
import io.smallrye.mutiny.Uni;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import io.vertx.sqlclient.PoolOptions;

/**
 * The outbox engine against the real PostgreSQL, its table made by the migration services run, used
 * as the services' role: replicas claim disjoint rows, a failing head holds its sequence, an expired
 * lease is taken over, refusals park, delivered rows are pruned.
 */
class OutboxEngineTest {
    private static final String DATABASE = "sentinel_common_outbox_test";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static Vertx vertx;
    private static Pool admin;
    private static Pool app;

    /** A handler that records what it sent and answers per payload: "ok…" succeeds, else the scripted failure. */
    static final class Scripted implements OutboxHandler<String> {
        final List<String> sent = new CopyOnWriteArrayList<>();
        final List<String> parked = new CopyOnWriteArrayList<>();
        final List<String> delivered = new CopyOnWriteArrayList<>();
        volatile Function<String, Throwable> failure = p -> p.startsWith("ok") ? null : Status.UNAVAILABLE.asRuntimeException();

        @Override
        public String kind() {
            return "Test";
        }

        @Override
        public Uni<String> send(OutboxMessage m) {
            String p = new String(m.payload(), StandardCharsets.UTF_8);
            sent.add(p);
            Throwable t = failure.apply(p);
            return t == null ? Uni.createFrom().item("ack " + p) : Uni.createFrom().failure(t);
        }

        @Override
        public Uni<Void> delivered(SqlClient tx, OutboxMessage m, String answer) {
            delivered.add(answer);
            return Uni.createFrom().voidItem();
        }

        @Override
        public Uni<Void> parked(SqlClient tx, OutboxMessage m, String reason) {
            parked.add(new String(m.payload(), StandardCharsets.UTF_8) + " | " + reason);
            return Uni.createFrom().voidItem();
        }
    }

    @BeforeAll
    static void database() throws Exception {
        TestPostgres.ensureDatabase(DATABASE);
        vertx = Vertx.vertx();
        admin = pool("postgres");
        String migration = Files.readString(Path.of(OutboxEngineTest.class.getResource("/db/outbox/V22_100__outbox_message.sql").toURI()))
                .replace("${app_role}", SentinelTestResource.APP_ROLE);
        admin.query("drop table if exists outbox_message").execute().await().atMost(WAIT);
        admin.query(migration).execute().await().atMost(WAIT);
        app = pool(SentinelTestResource.APP_ROLE);
    }

    private static Pool pool(String user) {
        PgConnectOptions options = new PgConnectOptions().setHost("127.0.0.1").setPort(TestPostgres.port()).setDatabase(DATABASE)
                .setUser(user).setPassword("unused-with-trust-auth").setSslMode(SslMode.VERIFY_FULL)
                .setTrustOptions(new PemTrustOptions().addCertPath(TestPostgres.caCertificate()))
                .setHostnameVerificationAlgorithm("HTTPS");
        return Pool.newInstance(PgBuilder.pool().with(new PoolOptions().setMaxSize(8)).connectingTo(options).using(vertx.getDelegate())
                .build());
    }

    @AfterAll
    static void close() {
        app.closeAndAwait();
        admin.closeAndAwait();
        vertx.closeAndAwait();
    }

    @BeforeEach
    void empty() {
        admin.query("delete from outbox_message").execute().await().atMost(WAIT);
    }

    private static OutboxEngine engine(String name, Scripted handler, int batch, int maxAttempts) {
        // Backoff of an hour: nothing is retried by itself; a test makes a row due when it wants.
        return new OutboxEngine(app, name, new OutboxSettings(Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofHours(1),
                Duration.ofHours(2), maxAttempts, batch, Duration.ofHours(24)), Map.of(handler.kind(), handler));
    }

    private static long enqueue(String key, String payload) {
        return app.withTransaction(c -> OutboxEngine.enqueue(c, "peer", "Test", key, null, null, payload.getBytes(StandardCharsets.UTF_8)))
                .await().atMost(WAIT);
    }

    private static String row(long id) {
        Row r = app.preparedQuery("select state, attempts, coalesce(last_error, '') as e from outbox_message where id = $1")
                .execute(Tuple.of(id)).await().atMost(WAIT).iterator().next();
        return r.getString("state") + " " + r.getInteger("attempts") + (r.getString("e").isEmpty() ? "" : " " + r.getString("e"));
    }

    private static void makeDue() {
        app.query("update outbox_message set next_attempt_at = now()").execute().await().atMost(WAIT);
    }

    @Test
    void twoReplicasClaimDisjointRows() {
        Scripted h = new Scripted();
        OutboxEngine a = engine("a", h, 30, 10);
        OutboxEngine b = engine("b", h, 30, 10);
        Set<Long> all = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            all.add(enqueue("subject-" + i, "ok" + i));
        }
        var both = Uni.combine().all().unis(a.claimDue(), b.claimDue()).asTuple().await().atMost(WAIT);
        Set<Long> byA = new HashSet<>(both.getItem1().stream().map(OutboxMessage::id).toList());
        Set<Long> byB = new HashSet<>(both.getItem2().stream().map(OutboxMessage::id).toList());
        assertThat(byA).doesNotContainAnyElementsOf(byB);
        assertThat(byA.size() + byB.size()).isEqualTo(50);
        // Each row carries its claimer's lease: nobody can claim them again while it lasts.
        assertThat(a.claimDue().await().atMost(WAIT)).isEmpty();
        assertThat(app.query("select count(*) from outbox_message where claimed_by = 'a'").execute().await().atMost(WAIT)
                .iterator().next().getLong(0)).isEqualTo(byA.size());
    }

    @Test
    void replicasDeliveringTogetherSendEachRowOnceAndEachSequenceInOrder() {
        Scripted h = new Scripted();
        OutboxEngine a = engine("a", h, 7, 10);
        OutboxEngine b = engine("b", h, 7, 10);
        for (int n = 0; n < 5; n++) {
            for (int k = 0; k < 6; k++) {
                enqueue("k" + k, "ok-" + k + "-" + n);
            }
        }
        for (int round = 0; round < 40; round++) {
            Uni.combine().all().unis(a.deliverDue(), b.deliverDue()).asTuple().await().atMost(WAIT);
        }
        assertThat(h.sent).hasSize(30).doesNotHaveDuplicates();
        for (int k = 0; k < 6; k++) {
            String prefix = "ok-" + k + "-";
            assertThat(h.sent.stream().filter(p -> p.startsWith(prefix)).toList())
                    .containsExactly(prefix + 0, prefix + 1, prefix + 2, prefix + 3, prefix + 4);
        }
    }

    @Test
    void laterRowsOfATargetWaitBehindAFailingHead() {
        Scripted h = new Scripted();
        OutboxEngine e = engine("a", h, 100, 10);
        long head = enqueue("subject-1", "down");
        long behind = enqueue("subject-1", "ok-behind");
        long other = enqueue("subject-2", "ok-other");
        e.deliverDue().await().atMost(WAIT);
        e.deliverDue().await().atMost(WAIT);
        assertThat(h.sent).containsExactlyInAnyOrder("down", "ok-other");
        assertThat(row(head)).startsWith("PENDING 1 UNAVAILABLE");
        assertThat(row(behind)).isEqualTo("PENDING 0");
        assertThat(row(other)).isEqualTo("DELIVERED 1");
        // Even when the head's backoff is over before the row behind it: the head goes first.
        makeDue();
        h.failure = p -> null;
        e.deliverDue().await().atMost(WAIT);
        assertThat(row(behind)).isEqualTo("PENDING 0");
        e.deliverDue().await().atMost(WAIT);
        assertThat(h.sent).containsExactly("down", "ok-other", "down", "ok-behind");
        assertThat(row(head)).isEqualTo("DELIVERED 2");
        assertThat(row(behind)).isEqualTo("DELIVERED 1");
    }

    @Test
    void aCrashedReplicasLeaseExpiresAndAnotherTakesOver() {
        Scripted h = new Scripted();
        OutboxEngine crashed = engine("crashed", h, 100, 10);
        OutboxEngine survivor = engine("survivor", h, 100, 10);
        long id = enqueue("subject-1", "ok-1");
        enqueue("subject-1", "ok-2");
        assertThat(crashed.claimDue().await().atMost(WAIT)).extracting(OutboxMessage::id).containsExactly(id);
        // The claimer dies before delivering: while its lease lasts, the row and the one behind it wait.
        assertThat(survivor.deliverDue().await().atMost(WAIT)).isZero();
        assertThat(h.sent).isEmpty();
        app.query("update outbox_message set lease_until = now() - interval '1 second' where claimed_by = 'crashed'").execute()
                .await().atMost(WAIT);
        survivor.deliverDue().await().atMost(WAIT);
        survivor.deliverDue().await().atMost(WAIT);
        assertThat(h.sent).containsExactly("ok-1", "ok-2");
        assertThat(row(id)).isEqualTo("DELIVERED 1");
    }

    @Test
    void refusalsParkAtOnceWithTheirReasonAndHoldNothing() {
        Scripted h = new Scripted();
        OutboxEngine e = engine("a", h, 100, 10);
        Metadata purged = new Metadata();
        purged.put(GrpcErrorMapping.REASON_KEY, SentinelException.SUBJECT_PURGED);
        h.failure = p -> switch (p) {
            case "invalid" -> Status.INVALID_ARGUMENT.withDescription("zones[0]: not a polygon").asRuntimeException();
            case "purged" -> Status.FAILED_PRECONDITION.withDescription("subject purged").asRuntimeException(purged);
            case "not-yet" -> Status.FAILED_PRECONDITION.withDescription("other").asRuntimeException();
            default -> null;
        };
        long invalid = enqueue("subject-1", "invalid");
        long after = enqueue("subject-1", "ok-after");
        long gone = enqueue("subject-2", "purged");
        long notYet = enqueue("subject-3", "not-yet");
        e.deliverDue().await().atMost(WAIT);
        e.deliverDue().await().atMost(WAIT);
        assertThat(row(invalid)).isEqualTo("PARKED 1 INVALID_ARGUMENT: zones[0]: not a polygon");
        assertThat(row(gone)).isEqualTo("PARKED 1 FAILED_PRECONDITION: subject purged");
        assertThat(row(notYet)).isEqualTo("PENDING 1 FAILED_PRECONDITION: other");
        assertThat(row(after)).isEqualTo("DELIVERED 1");
        assertThat(h.parked).containsExactlyInAnyOrder("invalid | INVALID_ARGUMENT: zones[0]: not a polygon",
                "purged | FAILED_PRECONDITION: subject purged");
        OutboxEngine.Stats stats = e.stats().await().atMost(WAIT);
        assertThat(stats.pending()).isEqualTo(1);
        assertThat(stats.parked()).isEqualTo(2);
        assertThat(e.list(OutboxEngine.State.PARKED, 0, 10).await().atMost(WAIT)).extracting(OutboxEngine.Entry::id).containsExactly(invalid, gone);

        // An operator puts one back (it is sent again, attempts counted afresh) and discards the other.
        h.failure = p -> null;
        assertThat(app.withTransaction(c -> OutboxEngine.retry(c, invalid)).await().atMost(WAIT)).isTrue();
        assertThat(app.withTransaction(c -> OutboxEngine.retry(c, after)).await().atMost(WAIT)).isFalse();
        assertThat(app.withTransaction(c -> OutboxEngine.discard(c, gone)).await().atMost(WAIT)).isTrue();
        e.deliverDue().await().atMost(WAIT);
        assertThat(row(invalid)).isEqualTo("DELIVERED 1");
        assertThat(e.state(gone).await().atMost(WAIT)).isNull();
    }

    @Test
    void aRowFailingMaxAttemptsTimesIsParked() {
        Scripted h = new Scripted();
        OutboxEngine e = engine("a", h, 100, 3);
        long id = enqueue("subject-1", "down");
        for (int i = 0; i < 3; i++) {
            makeDue();
            e.deliverDue().await().atMost(WAIT);
        }
        assertThat(row(id)).startsWith("PARKED 3 gave up after 3 attempts; last: UNAVAILABLE");
        makeDue();
        assertThat(e.deliverDue().await().atMost(WAIT)).isZero();
        assertThat(h.sent).hasSize(3);
    }

    @Test
    void deliveredRowsArePrunedAfterTheConfiguredPeriod() {
        Scripted h = new Scripted();
        OutboxEngine e = engine("a", h, 100, 10);
        long old = enqueue("subject-1", "ok-old");
        long recent = enqueue("subject-2", "ok-recent");
        long pending = enqueue("subject-3", "down");
        e.deliverDue().await().atMost(WAIT);
        app.preparedQuery("update outbox_message set delivered_at = now() - interval '25 hours' where id = $1").execute(Tuple.of(old))
                .await().atMost(WAIT);
        assertThat(e.prune().await().atMost(WAIT)).isEqualTo(1);
        assertThat(e.state(old).await().atMost(WAIT)).isNull();
        assertThat(e.state(recent).await().atMost(WAIT)).isEqualTo(OutboxEngine.State.DELIVERED);
        assertThat(e.state(pending).await().atMost(WAIT)).isEqualTo(OutboxEngine.State.PENDING);
    }

    @Test
    void deliverNowAnswersTheOutcomeOfTheFirstAttempt() {
        Scripted h = new Scripted();
        OutboxEngine e = engine("a", h, 100, 10);
        long ok = enqueue("device-1", "ok-now");
        assertThat(e.deliverNow(ok, Duration.ofSeconds(10)).await().atMost(WAIT)).isTrue();
        assertThat(row(ok)).isEqualTo("DELIVERED 1");
        long down = enqueue("device-2", "down");
        assertThat(e.deliverNow(down, Duration.ofSeconds(10)).await().atMost(WAIT)).isFalse();
        assertThat(row(down)).startsWith("PENDING 1");
        // Behind a failing head it is not sent: the answer is false once the wait is over, and the row waits its turn.
        long behind = enqueue("device-2", "ok-behind");
        assertThat(e.deliverNow(behind, Duration.ofMillis(300)).await().atMost(WAIT)).isFalse();
        assertThat(row(behind)).isEqualTo("PENDING 0");
        assertThat(h.sent).containsExactly("ok-now", "down");
    }

    @Test
    void forgettingASubjectDeletesItsMessagesButThePurgeRequests() {
        UUID subject = UUID.randomUUID();
        app.withTransaction(c -> OutboxEngine.enqueue(c, "peer", "Put", subject.toString(), subject, null, new byte[] { 1 })
                .flatMap(x -> OutboxEngine.enqueue(c, "peer", "Purge", subject.toString(), subject, null, new byte[] { 2 }))
                .flatMap(x -> OutboxEngine.enqueue(c, "peer", "Put", "other", UUID.randomUUID(), null, new byte[] { 3 }))
                .flatMap(x -> OutboxEngine.forgetSubject(c, subject, List.of("Purge")))).await().atMost(WAIT);
        List<String> left = new ArrayList<>();
        app.query("select kind from outbox_message order by id").execute().await().atMost(WAIT).forEach(r -> left.add(r.getString(0)));
        assertThat(left).containsExactly("Purge", "Put");
    }
}
