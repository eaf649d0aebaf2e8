package io.warpstats.p2p.pubsub;

import io.warpstats.p2p.pubsub.Rpc.ControlGraft;
import io.warpstats.p2p.pubsub.Rpc.ControlIHave;
import io.warpstats.p2p.pubsub.Rpc.ControlPrune;
import java.util.ArrayList;
import java.util.List;

/** Control messages {@link GossipRouter} gathers for one peer during a heartbeat, sent as one RPC. Not thread-safe: the router's thread only. */
final class HeartbeatControl {
    final List<ControlIHave> ihave = new ArrayList<>();
    final List<ControlGraft> graft = new ArrayList<>();
    final List<ControlPrune> prune = new ArrayList<>();
}
