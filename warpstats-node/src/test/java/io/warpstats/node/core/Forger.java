package io.warpstats.node.core;

import io.warpstats.crdt.Head;
import io.warpstats.p2p.PeerId;
import io.warpstats.stats.SlotKey;
import io.warpstats.stats.Stat;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * Forges the victims' counter slots: every 200 ms a block signed by itself (a valid signature) writes
 * {@code /incr/views/hostile-post/{victim}/forged} for every {@code --victim}, through its own engine
 * (whose authorizer allows anything), and announces it as any node does. Ends after {@code --seconds}
 * (default 6) or when no peer is connected any more (every honest node banned it).
 */
final class Forger implements Misbehaviour {
    static final String POST = "hostile-post";
    static final long FORGED_VIEWS = 1_000_000;

    @Override
    public void run(HostileNode.Stack s) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(s.flag("seconds", 6));
        int blocks = 0;
        while (System.nanoTime() < end && !s.host().connections().isEmpty()) {
            for (PeerId victim : s.victims()) {
                String key = new SlotKey(true, Stat.VIEWS, POST, victim.toString(), "forged").key();
                s.replica().crdt().put(key, ByteBuffer.allocate(8).putLong(FORGED_VIEWS + blocks).array());
            }
            s.replica().crdt().flush().get(10, TimeUnit.SECONDS);
            blocks++;
            for (Head h : s.replica().crdt().heads()) s.event("event forged " + h.cid());
            Thread.sleep(200); // the adversary's own pace
        }
        s.event("done forged " + blocks + " connected " + s.host().connections().size());
    }
}
