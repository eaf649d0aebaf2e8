package io.warpstats.p2p.pubsub;

import static io.warpstats.p2p.testing.TestHosts.addr;
import static io.warpstats.p2p.testing.TestHosts.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.p2p.Host;
import io.warpstats.p2p.testing.TestHosts;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Our own inbound backlog (the router loop stalled, frames piling up) is not the sender's offence:
 * frames beyond the bound are shed without a penalty, the peer stays in the mesh with a
 * non-negative score, and delivery resumes once the loop catches up (no permanent collapse).
 */
class InboundBacklogTest {
    private static final String TOPIC = "/warpstats/backlog-test";

    @Test
    void aStalledLoopShedsFramesWithoutPenalisingThePeer() throws Exception {
        Host ha = TestHosts.listening(), hb = TestHosts.listening();
        HostPubSub a = (HostPubSub) PubSub.create(ha), b = (HostPubSub) PubSub.create(hb);
        Waiter waiter = new Waiter();
        List<String> got = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch release = new CountDownLatch(1);
        try {
            a.subscribe(TOPIC, m -> { });
            b.subscribe(TOPIC, m -> {
                got.add(new String(m.data(), StandardCharsets.UTF_8));
                waiter.signal();
            });
            await(hb.dial(addr(ha)));
            waiter.await("mesh", 10_000, () -> await(a.mesh(TOPIC)).contains(hb.peerId()) && await(b.mesh(TOPIC)).contains(ha.peerId()));

            CountDownLatch stalled = new CountDownLatch(1);
            b.onLoop(() -> {
                stalled.countDown();
                try {
                    release.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThat(stalled.await(5, TimeUnit.SECONDS)).isTrue();
            int burst = 3 * HostPubSub.MAX_PENDING_INBOUND;
            for (int i = 0; i < burst; i++) await(a.publish(TOPIC, ("burst " + i).getBytes(StandardCharsets.UTF_8)));
            waiter.await("frames shed by b", 10_000, () -> b.shedInbound.sum() > 0);
            release.countDown();

            waiter.await("backlog drained", 10_000, () -> got.size() >= HostPubSub.MAX_PENDING_INBOUND - 1);
            assertThat(await(b.score(ha.peerId()))).isGreaterThanOrEqualTo(0.0);
            assertThat(await(b.mesh(TOPIC))).contains(ha.peerId());
            await(a.publish(TOPIC, "after".getBytes(StandardCharsets.UTF_8)));
            waiter.await("delivery after the backlog", 10_000, () -> got.contains("after"));
            assertThat(await(a.mesh(TOPIC))).contains(hb.peerId());
        } finally {
            release.countDown();
            a.close();
            b.close();
            ha.close();
            hb.close();
        }
    }
}
