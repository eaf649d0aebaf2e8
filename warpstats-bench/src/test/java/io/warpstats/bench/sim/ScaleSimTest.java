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
    void headsThatOthersJustAnnouncedAreNotRebroadcast() {
        // every engine offers its heads for rebroadcast each virtual second; the heads change with every put (20 a
        // second), so each rebroadcast offers heads announced moments before, by their writer or by a peer, and the
        // announcer keeps them quiet. Were they published, the 10 nodes would add about 100 announcements to the 200
        // of the puts, and a node would receive about half as much again.
        ScaleParams p = ScaleParams.of(10, 1, PUTS, 7).withPutsPerSecond(20);
        ScaleResult everySecond = ScaleSim.runOnce(p.withRebroadcastMs(1_000));
        ScaleResult almostNever = ScaleSim.runOnce(p.withRebroadcastMs(3_600_000));
        assertTrue(everySecond.messagesPerPutNode() <= almostNever.messagesPerPutNode() * 1.15,
                "rebroadcast each second " + everySecond + "\nonce an hour " + almostNever);
        assertTrue(everySecond.announcements() <= PUTS * 11 / 10, "announcements " + everySecond.announcements() + " for " + PUTS + " puts");
    }

    @Test
    void aNodeFollowingOneOf16ShardsCarriesAtMostAnEighthOfAnObserver() {
        ScaleResult r = ScaleSim.runOnce(ScaleParams.of(32, 16, PUTS, 7));
        assertTrue(r.observerStoredBytes() > 0 && r.observerReceivedBytes() > 0);
        assertTrue(r.storedBytesPerNode() * 8 <= r.observerStoredBytes(), "stored " + r);
        assertTrue(r.receivedBytesPerNode() * 8 <= r.observerReceivedBytes(), "received " + r);
    }
}
