package io.warpstats.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of {@link Delta#parse} (the Data of every block): a delta or
 * {@link IllegalArgumentException}; an accepted delta survives {@code parse(toBytes())}.
 */
class DeltaFuzzer {
    @FuzzTest(maxDuration = "3s")
    void parse(byte[] bytes) {
        Delta d;
        try {
            d = Delta.parse(bytes);
        } catch (IllegalArgumentException rejected) {
            return;
        }
        assertThat(Delta.parse(d.toBytes())).isEqualTo(d);
    }
}
