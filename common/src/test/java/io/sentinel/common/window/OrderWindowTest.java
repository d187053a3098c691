package io.sentinel.common.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import com.google.protobuf.Timestamp;

import io.sentinel.common.error.SentinelException;
import io.sentinel.common.util.Timestamps;

class OrderWindowTest {
    private static final Instant START = Instant.parse("2026-12-01T09:00:00Z");
    private static final Instant END = Instant.parse("2027-03-01T09:00:00Z");
    private final OrderWindow window = new OrderWindow(START, END);

    @Test
    void includesItsStartAndExcludesItsEnd() {
        assertThat(window.contains(START)).isTrue();
        assertThat(window.contains(END.minusNanos(1))).isTrue();
        assertThat(window.contains(END)).isFalse();
        assertThat(window.contains(START.minusNanos(1))).isFalse();
        assertThat(window.over(END)).isTrue();
        assertThat(window.over(END.minusNanos(1))).isFalse();
        assertThat(window.before(START.minusNanos(1))).isTrue();
        assertThat(window.before(START)).isFalse();
    }

    @Test
    void aMissingBoundDoesNotRestrictThatSide() {
        assertThat(OrderWindow.UNBOUNDED.contains(Instant.EPOCH)).isTrue();
        assertThat(new OrderWindow(START, null).contains(Instant.parse("9999-01-01T00:00:00Z"))).isTrue();
        assertThat(new OrderWindow(START, null).contains(START.minusSeconds(1))).isFalse();
        assertThat(new OrderWindow(null, END).contains(END)).isFalse();
        assertThat(OrderWindow.ofNullable(null, null)).isSameAs(OrderWindow.UNBOUNDED);
    }

    @Test
    void readsWireTimestampsAndLeavesUnsetOnesUnbounded() {
        assertThat(OrderWindow.of("order_", Timestamps.of(START), Timestamps.of(END))).isEqualTo(window);
        assertThat(OrderWindow.of("order_", Timestamp.getDefaultInstance(), Timestamp.getDefaultInstance())).isEqualTo(OrderWindow.UNBOUNDED);
        assertThat(window.startsAtProto()).isEqualTo(Timestamps.of(START));
        assertThat(OrderWindow.UNBOUNDED.endsAtProto()).isNull();
    }

    @Test
    void refusesAnEndNotAfterItsStartNamingTheField() {
        assertThatThrownBy(() -> OrderWindow.of("order_", Timestamps.of(END), Timestamps.of(END)))
                .isInstanceOfSatisfying(SentinelException.class, e -> {
                    assertThat(e.kind()).isEqualTo(SentinelException.Kind.INVALID_ARGUMENT);
                    assertThat(e.field()).isEqualTo("order_ends_at");
                });
        assertThatThrownBy(() -> new OrderWindow(END, START)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void describesWhichSideAMomentFallsOn() {
        assertThat(window.describeOutside(START.minusSeconds(1))).contains("before").contains(window.toString());
        assertThat(window.describeOutside(END)).contains("after").contains("closed");
    }
}
