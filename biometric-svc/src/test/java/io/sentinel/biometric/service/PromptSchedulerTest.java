package io.sentinel.biometric.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import javax.imageio.ImageIO;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.google.protobuf.ByteString;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.sentinel.api.biometric.v1.BiometricServiceGrpc;
import io.sentinel.api.biometric.v1.CheckIn;
import io.sentinel.api.biometric.v1.ListOpenPromptsRequest;
import io.sentinel.api.internal.v1.BiometricIntakeServiceGrpc;
import io.sentinel.api.internal.v1.PutCheckInScheduleRequest;
import io.sentinel.api.biometric.v1.SubmitCheckInRequest;
import io.sentinel.common.testing.GrpcTestChannels;
import io.sentinel.common.testing.TestTokens;
import io.sentinel.common.util.Timestamps;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

@QuarkusTest
class PromptSchedulerTest {
    static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    Pool pool;
    @Inject
    PromptScheduler prompts;

    ManagedChannel channel;
    String agency = "agency-" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeEach
    void open() {
        channel = GrpcTestChannels.plaintext(RestAssured.port);
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    BiometricServiceGrpc.BiometricServiceBlockingStub as(String token) {
        return BiometricServiceGrpc.newBlockingStub(channel).withCallCredentials(GrpcTestChannels.bearer(token))
                .withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    String monitoredSubject(int perDay) {
        String subject = UUID.randomUUID().toString();
        GrpcTestChannels.asService(BiometricIntakeServiceGrpc.newBlockingStub(channel), "enrollment-svc", "biometric-svc").putCheckInSchedule(PutCheckInScheduleRequest.newBuilder()
                .setSubjectId(subject).setOwningAgencyId(agency).setTimeZone("Europe/London").setPerDay(perDay)
                .setWindowStart("08:00").setWindowEnd("20:00").setVersion(1).setActive(true).build());
        return subject;
    }

    List<Row> query(String sql, Object... args) {
        List<Row> rows = new ArrayList<>();
        pool.preparedQuery(sql).execute(Tuple.from(args)).await().atMost(WAIT).forEach(rows::add);
        return rows;
    }

    @Test
    void plansEachDayOnceInsideTheWindowAndUnansweredPromptsBecomeMissedEventsForRules() {
        String subject = monitoredSubject(3);
        UUID id = UUID.fromString(subject);
        // 06:00 in London on 2026-06-01: all of today's window and tomorrow's are still ahead.
        Instant now = Instant.parse("2026-06-01T05:00:00Z");
        prompts.planDays(now).await().atMost(WAIT);
        prompts.planDays(now.plusSeconds(60)).await().atMost(WAIT);

        List<Row> planned = query("select prompt_id, prompt_at, deadline_at, state from check_in_prompt where subject_id = $1 order by prompt_at", id);
        assertThat(planned).hasSize(6);
        for (Row p : planned) {
            Instant at = p.getOffsetDateTime("prompt_at").toInstant();
            assertThat(at.atZone(ZoneId.of("Europe/London")).toLocalTime()).isBetween(LocalTime.of(8, 0), LocalTime.of(19, 59, 59));
            assertThat(p.getOffsetDateTime("deadline_at").toInstant()).isEqualTo(at.plus(Duration.ofMinutes(15)));
            assertThat(p.getString("state")).isEqualTo("PENDING");
        }

        prompts.markMissed(Instant.parse("2026-06-03T00:00:00Z")).await().atMost(WAIT);
        prompts.markMissed(Instant.parse("2026-06-03T00:01:00Z")).await().atMost(WAIT);
        assertThat(query("select state from check_in_prompt where subject_id = $1", id)).allMatch(r -> r.getString("state").equals("MISSED"));
        List<Row> events = query("select kind, check_in_id, occurred_at from check_in_event_outbox where subject_id = $1 order by id", id);
        assertThat(events).hasSize(6);
        for (int i = 0; i < 6; i++) {
            assertThat(events.get(i).getString("kind")).isEqualTo("CHECK_IN_EVENT_KIND_MISSED");
            assertThat(events.get(i).getUUID("check_in_id")).isEqualTo(planned.get(i).getUUID("prompt_id"));
            assertThat(events.get(i).getOffsetDateTime("occurred_at")).isEqualTo(planned.get(i).getOffsetDateTime("deadline_at"));
        }
    }

    @Test
    void aWatchingGatewayGetsTheOpenPromptsAtOnceThenEachNewOneWhenIssuedOnlyOnceAndOnlyItsAgencys() throws Exception {
        UUID subject = UUID.fromString(monitoredSubject(2));
        UUID open = UUID.randomUUID();
        UUID soon = UUID.randomUUID();
        UUID later = UUID.randomUUID();
        UUID othersOpen = UUID.randomUUID();
        query("""
                insert into check_in_prompt (prompt_id, subject_id, owning_agency_id, local_date, prompt_at, deadline_at, state) values
                ($1, $4, $5, current_date, now() - interval '1 minute', now() + interval '14 minutes', 'PENDING'),
                ($2, $4, $5, current_date, now() + interval '2 seconds', now() + interval '15 minutes', 'PENDING'),
                ($3, $4, $5, current_date, now() + interval '3 hours', now() + interval '3 hours 15 minutes', 'PENDING'),
                ($6, gen_random_uuid(), 'another-agency', current_date, now() - interval '1 minute', now() + interval '14 minutes', 'PENDING')""",
                open, soon, later, subject, agency, othersOpen);

        java.util.concurrent.BlockingQueue<Object> got = new java.util.concurrent.LinkedBlockingQueue<>();
        io.grpc.Context.CancellableContext stream = io.grpc.Context.current().withCancellation();
        stream.run(() -> BiometricServiceGrpc.newStub(channel).withCallCredentials(GrpcTestChannels.bearer(TestTokens.token("gw", agency, "device-gateway")))
                .watchPrompts(io.sentinel.api.biometric.v1.WatchPromptsRequest.getDefaultInstance(), new io.grpc.stub.StreamObserver<>() {
                    public void onNext(io.sentinel.api.biometric.v1.IssuedPrompt p) {
                        got.add(p);
                    }

                    public void onError(Throwable t) {
                        got.add(t);
                    }

                    public void onCompleted() {
                        got.add("completed");
                    }
                }));
        try {
            Object first = got.poll(10, TimeUnit.SECONDS);
            assertThat(first).isInstanceOf(io.sentinel.api.biometric.v1.IssuedPrompt.class);
            io.sentinel.api.biometric.v1.IssuedPrompt issued = (io.sentinel.api.biometric.v1.IssuedPrompt) first;
            assertThat(issued.getPrompt().getPromptId()).isEqualTo(open.toString());
            assertThat(issued.getSubjectId()).isEqualTo(subject.toString());

            Object second = got.poll(10, TimeUnit.SECONDS);
            Instant arrived = Instant.now();
            assertThat(second).isInstanceOf(io.sentinel.api.biometric.v1.IssuedPrompt.class);
            io.sentinel.api.biometric.v1.IssuedPrompt next = (io.sentinel.api.biometric.v1.IssuedPrompt) second;
            assertThat(next.getPrompt().getPromptId()).isEqualTo(soon.toString());
            // Pushed at its moment, not before: a watch never learns a prompt ahead of time.
            assertThat(arrived).isAfterOrEqualTo(Timestamps.required("prompt_at", next.getPrompt().getPromptAt()));

            // Many more asks follow; nothing is sent twice, the 3-hour prompt stays unknown and
            // another agency's prompt never appears.
            assertThat(got.poll(2, TimeUnit.SECONDS)).isNull();
        } finally {
            stream.cancel(null);
        }

        // A caseworker is not a gateway.
        var refused = assertThrows(StatusRuntimeException.class, () -> as(TestTokens.token("cw", agency, "caseworker"))
                .watchPrompts(io.sentinel.api.biometric.v1.WatchPromptsRequest.getDefaultInstance()).hasNext());
        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    }

    @Test
    void aSubjectWithoutPromptsOrInactiveGetsNone() {
        String subject = monitoredSubject(0);
        prompts.planDays(Instant.parse("2026-06-01T05:00:00Z")).await().atMost(WAIT);
        assertThat(query("select 1 from check_in_prompt where subject_id = $1", UUID.fromString(subject))).isEmpty();
    }

    @Test
    void aCheckInBeforeTheDeadlineAnswersThePromptWhichIsNeverMissed() throws Exception {
        String subject = monitoredSubject(1);
        UUID id = UUID.fromString(subject);
        UUID open = UUID.randomUUID();
        UUID later = UUID.randomUUID();
        query("""
                insert into check_in_prompt (prompt_id, subject_id, owning_agency_id, local_date, prompt_at, deadline_at, state) values
                ($1, $3, $4, current_date, now() - interval '1 minute', now() + interval '14 minutes', 'PENDING'),
                ($2, $3, $4, current_date, now() + interval '3 hours', now() + interval '3 hours 15 minutes', 'PENDING')""",
                open, later, id, agency);

        var device = as(TestTokens.token("watch", agency, "device-gateway"));
        var listed = device.listOpenPrompts(ListOpenPromptsRequest.newBuilder().setSubjectId(subject).build()).getPromptsList();
        // Only the issued prompt is shown; the one still to come stays unpredictable.
        assertThat(listed).extracting(p -> p.getPromptId()).containsExactly(open.toString());

        ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB), "jpg", jpeg);
        CheckIn c = as(TestTokens.token("watch", agency, "device-gateway")).submitCheckIn(SubmitCheckInRequest.newBuilder()
                .setSubjectId(subject).setCapturedAt(Timestamps.of(Instant.now().minusSeconds(2)))
                .setImage(ByteString.copyFrom(jpeg.toByteArray())).setContentType("image/jpeg").build()).getCheckIn();

        Row answered = query("select state, check_in_id from check_in_prompt where prompt_id = $1", open).get(0);
        assertThat(answered.getString("state")).isEqualTo("ANSWERED");
        assertThat(answered.getUUID("check_in_id")).hasToString(c.getCheckInId());
        assertThat(device.listOpenPrompts(ListOpenPromptsRequest.newBuilder().setSubjectId(subject).build()).getPromptsList()).isEmpty();
        // A prompt not yet issued is not answered in advance.
        assertThat(query("select state from check_in_prompt where prompt_id = $1", later).get(0).getString("state")).isEqualTo("PENDING");

        prompts.markMissed(Instant.now().plus(Duration.ofHours(1))).await().atMost(WAIT);
        assertThat(query("select state from check_in_prompt where prompt_id = $1", open).get(0).getString("state")).isEqualTo("ANSWERED");
        assertThat(query("select 1 from check_in_event_outbox where subject_id = $1", id)).isEmpty();
    }
}
