package io.sentinel.biometric.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/** Source-image deletion against the real PostgreSQL, proved row by row. */
@QuarkusTest
class SourceImageRetentionTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    static final byte[] PHOTO = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 1, 2, 3};
    static final byte[] TEMPLATE = {9, 9, 9};

    @Inject
    Pool pool;
    @Inject
    SourceImageRetention retention;

    final UUID subject = UUID.randomUUID();
    final Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    final Instant old = now.minus(Duration.ofDays(31));
    final Instant recent = now.minus(Duration.ofDays(29));

    @Test
    void deletesOldImagesButKeepsTemplatesDecisionsAndPhotosStillUnderReview() {
        exec("insert into check_in_schedule (subject_id, owning_agency_id, time_zone, per_day, window_start, window_end, version, active, updated_at) "
                + "values ($1, 'agency-r', 'Europe/London', 1, '08:00', '20:00', 1, true, now())", Tuple.of(subject));
        UUID oldRef = reference(old);
        UUID recentRef = reference(recent);
        UUID oldDecided = checkIn(old, "REVIEW_STATE_CONFIRMED_NO_MATCH", "reviewer-1");
        UUID oldMatched = checkIn(old, "REVIEW_STATE_NOT_REQUIRED", null);
        UUID oldPending = checkIn(old, "REVIEW_STATE_PENDING", null);
        UUID recentDecided = checkIn(recent, "REVIEW_STATE_CONFIRMED_MATCH", "reviewer-2");

        SourceImageRetention.Deleted d = retention.deleteExpired(now).await().atMost(WAIT);
        assertThat(d.references()).isEqualTo(1);
        assertThat(d.checkIns()).isEqualTo(2);

        Row ref = row("select image, image_deleted_at, template, model_id from reference_image where reference_id = $1", oldRef);
        assertThat(ref.getValue("image")).isNull();
        assertThat(ref.getOffsetDateTime("image_deleted_at").toInstant()).isEqualTo(now);
        assertThat(ref.getBuffer("template").getBytes()).isEqualTo(TEMPLATE);
        assertThat(ref.getString("model_id")).isEqualTo("fr-test");
        assertThat(row("select image, image_deleted_at from reference_image where reference_id = $1", recentRef).getBuffer("image").getBytes())
                .isEqualTo(PHOTO);

        Row decided = row("select image, image_deleted_at, outcome, similarity, review_state, reviewed_by, review_reason from check_in "
                + "where check_in_id = $1", oldDecided);
        assertThat(decided.getValue("image")).isNull();
        assertThat(decided.getOffsetDateTime("image_deleted_at").toInstant()).isEqualTo(now);
        assertThat(decided.getString("outcome")).isEqualTo("VERIFICATION_OUTCOME_NO_MATCH");
        assertThat(decided.getDouble("similarity")).isEqualTo(0.2);
        assertThat(decided.getString("review_state")).isEqualTo("REVIEW_STATE_CONFIRMED_NO_MATCH");
        assertThat(decided.getString("reviewed_by")).isEqualTo("reviewer-1");
        assertThat(decided.getString("review_reason")).isEqualTo("not the subject");
        assertThat(row("select image from check_in where check_in_id = $1", oldMatched).getValue("image")).isNull();

        // The reviewer still has to compare this one: its photo stays, however old.
        Row pending = row("select image, image_deleted_at from check_in where check_in_id = $1", oldPending);
        assertThat(pending.getBuffer("image").getBytes()).isEqualTo(PHOTO);
        assertThat(pending.getValue("image_deleted_at")).isNull();
        assertThat(row("select image from check_in where check_in_id = $1", recentDecided).getBuffer("image").getBytes()).isEqualTo(PHOTO);

        // Once decided, the next sweep deletes it; a repeated sweep changes nothing more.
        exec("update check_in set review_state = 'REVIEW_STATE_CONFIRMED_MATCH', reviewed_by = 'reviewer-3', reviewed_at = now() "
                + "where check_in_id = $1", Tuple.of(oldPending));
        Instant later = now.plusSeconds(60);
        assertThat(retention.deleteExpired(later).await().atMost(WAIT)).isEqualTo(new SourceImageRetention.Deleted(0, 1));
        assertThat(row("select image from check_in where check_in_id = $1", oldPending).getValue("image")).isNull();
        assertThat(retention.deleteExpired(later).await().atMost(WAIT)).isEqualTo(new SourceImageRetention.Deleted(0, 0));
        assertThat(row("select count(*) as n from check_in where subject_id = $1", subject).getLong("n")).isEqualTo(4);
    }

    private UUID reference(Instant createdAt) {
        UUID id = UUID.randomUUID();
        exec("insert into reference_image (reference_id, subject_id, content_type, image, model_id, template, created_at) "
                + "values ($1, $2, 'image/jpeg', $3, 'fr-test', $4, $5)",
                Tuple.of(id, subject, io.vertx.core.buffer.Buffer.buffer(PHOTO), io.vertx.core.buffer.Buffer.buffer(TEMPLATE),
                        createdAt.atOffset(ZoneOffset.UTC)));
        return id;
    }

    private UUID checkIn(Instant receivedAt, String reviewState, String reviewer) {
        UUID id = UUID.randomUUID();
        exec("insert into check_in (check_in_id, subject_id, owning_agency_id, captured_at, received_at, content_type, image, outcome, "
                + "outcome_reason, similarity, review_state, reviewed_by, reviewed_at, review_reason) values ($1, $2, 'agency-r', $3, $3, "
                + "'image/jpeg', $4, 'VERIFICATION_OUTCOME_NO_MATCH', 'below threshold', 0.2, $5, $6, $7, $8)",
                Tuple.from(new Object[] {id, subject, receivedAt.atOffset(ZoneOffset.UTC), io.vertx.core.buffer.Buffer.buffer(PHOTO),
                    reviewState, reviewer, reviewer == null ? null : receivedAt.plusSeconds(600).atOffset(ZoneOffset.UTC),
                    reviewer == null ? null : "not the subject"}));
        return id;
    }

    private void exec(String sql, Tuple args) {
        pool.preparedQuery(sql).execute(args).await().atMost(WAIT);
    }

    private Row row(String sql, UUID id) {
        return pool.preparedQuery(sql).execute(Tuple.of(id)).await().atMost(WAIT).iterator().next();
    }
}
