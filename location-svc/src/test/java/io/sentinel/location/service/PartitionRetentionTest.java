package io.sentinel.location.service;

import static io.sentinel.location.Fixtures.psql;
import static io.sentinel.location.Fixtures.psqlAs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.sentinel.common.testing.SentinelTestResource;

/** The trail's hard age limit: whole partitions dropped, never one that still holds a fix within it. */
@QuarkusTest
class PartitionRetentionTest {
    @Inject
    PartitionMaintenance maintenance;

    /** Created as the role the service runs as, which creates (and so owns and may drop) the trail's partitions. */
    static void partition(String name, String from, String to) {
        psqlAs(SentinelTestResource.APP_ROLE, "create table if not exists " + name + " partition of fix for values from ('" + from + "') to ('" + to + "')");
    }

    static String fixAt(String deviceTime) {
        String device = UUID.randomUUID().toString();
        psql("insert into fix (device_id, subject_id, device_time, received_at, latitude, longitude, accuracy_metres, implausible,"
                + " low_accuracy) values ('" + device + "', '" + UUID.randomUUID() + "', '" + deviceTime + "', now(), 51.5, -0.1, 5,"
                + " false, false)");
        return device;
    }

    static long fixesOf(String device) {
        return Long.parseLong(psql("select count(*) from fix where device_id = '" + device + "'"));
    }

    @Test
    void partitionsWhollyOlderThanTheMaximumAgeAreDroppedAndNoOtherFixIsTouched() {
        // Default maximum age: 2,192 days (six years). Seen from 2026-12-05 the cutoff is 2020-12-04.
        Instant now = Instant.parse("2026-12-05T03:17:00Z");
        partition("fix_2019_01", "2019-01-01 00:00:00+00", "2019-02-01 00:00:00+00");
        partition("fix_2020_12", "2020-12-01 00:00:00+00", "2021-01-01 00:00:00+00");
        String expired = fixAt("2019-01-15 12:00:00+00");
        String straddling = fixAt("2020-12-02 12:00:00+00"); // older than the cutoff, but its month is not
        String inDefaultOld = fixAt("2018-06-01 12:00:00+00"); // no partition for 2018: the default one holds it
        String inDefaultYoung = fixAt("2021-03-01 12:00:00+00");
        String current = fixAt("2026-12-05 01:00:00+00");

        List<String> dropped = maintenance.dropExpired(now).await().atMost(Duration.ofSeconds(10));

        assertThat(dropped).containsExactly("fix_2019_01");
        assertThat(psql("select coalesce(to_regclass('fix_2019_01')::text, 'gone')")).isEqualTo("gone");
        assertThat(fixesOf(expired)).isZero();
        assertThat(fixesOf(inDefaultOld)).isZero();
        assertThat(fixesOf(straddling)).isEqualTo(1);
        assertThat(fixesOf(inDefaultYoung)).isEqualTo(1);
        assertThat(fixesOf(current)).isEqualTo(1);
        // Nothing more is due on the next run.
        assertThat(maintenance.dropExpired(now).await().atMost(Duration.ofSeconds(10))).isEmpty();
    }

    @Test
    void aMaximumAgeShorterThanTheAcceptanceWindowAllowsIsRefusedAtStart() {
        assertThatThrownBy(() -> new PartitionMaintenance(null, Duration.ofDays(10)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sentinel.trail.max-age").hasMessageContaining("31 days");
    }
}
