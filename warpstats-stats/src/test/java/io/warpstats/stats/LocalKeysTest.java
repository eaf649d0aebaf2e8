package io.warpstats.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LocalKeysTest {
    @Test
    void hex16IsTheFormattedTwosComplement() {
        long[] edges = {0, 1, 15, 16, -1, Long.MAX_VALUE, Long.MIN_VALUE, 0x0123456789abcdefL, System.currentTimeMillis()};
        for (long v : edges) assertEquals(String.format("%016x", v), LocalKeys.hex16(v), "value " + v);
        SplittableRandom r = new SplittableRandom(14);
        for (int i = 0; i < 10_000; i++) {
            long v = r.nextLong() >>> r.nextInt(64);
            assertEquals(String.format("%016x", v), LocalKeys.hex16(v), "value " + v);
        }
    }

    @Test
    void eventsAndUserLikesKeepTheirLayout() {
        assertEquals("e/00000000000000ff", LocalKeys.event(255));
        assertEquals("u/alice/" + String.format("%016x", Long.MAX_VALUE - 1_700_000_000_000L) + "/tweet-1",
                LocalKeys.userLike("alice", 1_700_000_000_000L, "tweet-1"));
    }
}
