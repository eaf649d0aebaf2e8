package io.warpstats.multiformats;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of {@link DagPb#decode}: every input either decodes or is rejected with
 * {@link IllegalArgumentException}; an accepted block re-encodes to the same bytes (the codec is
 * canonical) and its link CIDs survive their printed form. Regression inputs live in
 * {@code DagPbFuzzerInputs/}; {@code scripts/fuzz.sh} runs it for longer.
 */
class DagPbFuzzer {
    @FuzzTest(maxDuration = "3s")
    void decode(byte[] block) {
        DagPb.Node node;
        try {
            node = DagPb.decode(block);
        } catch (IllegalArgumentException rejected) {
            return;
        }
        assertThat(DagPb.encode(node)).isEqualTo(block);
        assertThat(DagPb.decode(DagPb.encode(node))).isEqualTo(node);
        for (DagPb.Link link : node.links()) {
            assertThat(Cid.parse(link.hash().toString())).isEqualTo(link.hash());
        }
    }
}
