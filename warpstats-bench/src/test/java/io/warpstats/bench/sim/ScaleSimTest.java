package io.warpstats.bench.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The scale simulation on small networks. Every run checks each follower's totals against the model exactly
 * (ScaleSim.run throws otherwise); these tests add that a seed replays a run, that the cost per put per node
 * does not grow with the node count, and that a node following 1 of 16 shards carries at most an eighth of
 * what a node following all of them does.
 */
class ScaleSimTest {
    private static final int PUTS = 200;

    @Test
    void sameSeedSameFiguresAndFlatFrom10To30Nodes() {
        ScaleResult ten = ScaleSim.runOnce(ScaleParams.of(10, 1, PUTS, 7));
        ScaleResult again = ScaleSim.runOnce(ScaleParams.of(10, 1, PUTS, 7));
        assertEquals(ten.bytesPerPutNode(), again.bytesPerPutNode());
        assertEquals(ten.messagesPerPutNode(), again.messagesPerPutNode());
        assertEquals(ten.convergeMs(), again.convergeMs());
        assertEquals(ten.storedBytesPerNode(), again.storedBytesPerNode());
        assertEquals(ten.blocks(), again.blocks());

        ScaleResult thirty = ScaleSim.runOnce(ScaleParams.of(30, 1, PUTS, 7));
        double ratio = thirty.bytesPerPutNode() / ten.bytesPerPutNode();
        assertTrue(ratio < 1.5, "bytes per put per node at 30 nodes / at 10: " + ratio + "\n" + ten + "\n" + thirty);
        // no fetch waited for a rebroadcast (10 s): the announcements and fetches alone converge
        assertTrue(thirty.convergeMs() < 5_000, "converged " + thirty.convergeMs() + " ms after the last put");
    }

    @Test
    void aNodeFollowingOneOf16ShardsCarriesAtMostAnEighthOfAnObserver() {
        ScaleResult r = ScaleSim.runOnce(ScaleParams.of(32, 16, PUTS, 7));
        assertTrue(r.observerStoredBytes() > 0 && r.observerReceivedBytes() > 0);
        assertTrue(r.storedBytesPerNode() * 8 <= r.observerStoredBytes(), "stored " + r);
        assertTrue(r.receivedBytesPerNode() * 8 <= r.observerReceivedBytes(), "received " + r);
    }
}
