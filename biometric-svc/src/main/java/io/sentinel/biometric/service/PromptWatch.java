package io.sentinel.biometric.service;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.sentinel.api.biometric.v1.IssuedPrompt;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Pushes an agency's check-in prompts to a gateway as they are issued. Prompts are planned ahead
 * with their moment in the database, so every replica can tell which became due without being
 * told: each stream asks about every {@code sentinel.prompts.watch-interval} for the open prompts
 * issued within the last {@link #LOOKBACK} (all open ones on the first ask) and sends those it has
 * not sent yet. The look-back covers a prompt committed a little after its moment (the planner's
 * transaction) and a slow ask; a prompt planned later than that after its moment is never issued.
 */
@ApplicationScoped
public class PromptWatch {
    static final Duration LOOKBACK = Duration.ofMinutes(1);

    private static final String OPEN_SINCE = """
            select prompt_id, subject_id, prompt_at, deadline_at from check_in_prompt
            where owning_agency_id = $1 and state = 'PENDING' and prompt_at > $2 and prompt_at <= $3 and deadline_at > $3
            order by prompt_at, prompt_id""";

    private final Pool pool;
    private final Duration every;

    public PromptWatch(Pool pool, @ConfigProperty(name = "sentinel.prompts.watch-interval") Duration every) {
        if (every.isNegative() || every.isZero()) {
            throw new IllegalArgumentException("sentinel.prompts.watch-interval must be positive, got " + every);
        }
        this.pool = pool;
        this.every = every;
    }

    /** The agency's prompts as they are issued, each once; endless until the subscriber cancels. */
    public Multi<IssuedPrompt> watch(String agencyId) {
        // Prompt id → deadline, for prompts already sent on this stream; forgotten after the deadline.
        Map<UUID, Instant> sent = new HashMap<>();
        boolean[] first = { true };
        return Multi.createFrom().ticks().startingAfter(Duration.ofMillis(1)).every(every).onOverflow().drop()
                .onItem().transformToUniAndConcatenate(tick -> {
                    Instant now = Instant.now();
                    Instant since = first[0] ? Instant.EPOCH : now.minus(LOOKBACK);
                    first[0] = false;
                    return fresh(agencyId, since, now, sent);
                })
                .onItem().transformToIterable(l -> l);
    }

    private Uni<List<IssuedPrompt>> fresh(String agencyId, Instant since, Instant now, Map<UUID, Instant> sent) {
        return pool.preparedQuery(OPEN_SINCE).execute(Tuple.of(agencyId, since.atOffset(ZoneOffset.UTC), now.atOffset(ZoneOffset.UTC)))
                .map(rows -> {
                    sent.values().removeIf(deadline -> !deadline.isAfter(now));
                    List<IssuedPrompt> out = new ArrayList<>();
                    for (Row r : rows) {
                        UUID id = r.getUUID("prompt_id");
                        if (sent.putIfAbsent(id, r.getOffsetDateTime("deadline_at").toInstant()) == null) {
                            out.add(IssuedPrompt.newBuilder().setSubjectId(r.getUUID("subject_id").toString())
                                    .setPrompt(PromptScheduler.prompt(r)).build());
                        }
                    }
                    return out;
                });
    }
}
