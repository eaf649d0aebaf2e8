package io.warpstats.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Small generations keep the configured delay; large ones stretch it, bounded; a small one resets it. */
class FlushPacerTest {
    @Test
    void stretchesUnderLoadBoundedAndResets() {
        FlushPacer p = new FlushPacer(Duration.ofMillis(10));
        assertThat(p.delayNanos()).isEqualTo(10_000_000L);
        p.flushed(3);
        assertThat(p.delayNanos()).isEqualTo(10_000_000L);
        p.flushed(FlushPacer.KEYS_PER_STEP * 4);
        assertThat(p.delayNanos()).isEqualTo(40_000_000L);
        p.flushed(FlushPacer.KEYS_PER_STEP * 2 - 1);
        assertThat(p.delayNanos()).isEqualTo(10_000_000L);
        p.flushed(1_000_000);
        assertThat(p.delayNanos()).isEqualTo(10_000_000L * FlushPacer.MAX_FACTOR);
        p.flushed(1);
        assertThat(p.delayNanos()).isEqualTo(10_000_000L);
    }
}
