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
import org.junit.jupiter.api.Test;

/** PubSub over real hosts on 127.0.0.1 (Java only). */
class HostPubSubTest {
    private static final String TOPIC = "/warpstats/host-test";

    @Test
    void threeJavaNodesInALineDeliverEveryMessageOnce() throws Exception {
        List<Host> hosts = new ArrayList<>();
        List<PubSub> subs = new ArrayList<>();
        Waiter waiter = new Waiter();
        List<List<String>> received = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                Host h = TestHosts.listening();
                hosts.add(h);
                PubSub ps = PubSub.create(h);
                subs.add(ps);
                List<String> got = Collections.synchronizedList(new ArrayList<>());
                received.add(got);
                ps.subscribe(TOPIC, m -> {
                    got.add(new String(m.data(), StandardCharsets.UTF_8));
                    waiter.signal();
                });
            }
            await(hosts.get(1).dial(addr(hosts.get(0))));
            await(hosts.get(2).dial(addr(hosts.get(1))));
            waiter.await("meshes", 10_000, () -> await(subs.get(1).mesh(TOPIC)).size() == 2
                    && await(subs.get(0).mesh(TOPIC)).size() == 1 && await(subs.get(2).mesh(TOPIC)).size() == 1);
            for (int i = 0; i < 3; i++) {
                for (int k = 0; k < 3; k++) await(subs.get(i).publish(TOPIC, ("m" + k + " from " + i).getBytes(StandardCharsets.UTF_8)));
            }
            waiter.await("deliveries", 10_000, () -> received.stream().allMatch(l -> l.size() >= 6));
            for (int i = 0; i < 3; i++) {
                String self = "from " + i;
                assertThat(received.get(i)).hasSize(6).doesNotHaveDuplicates().noneMatch(s -> s.endsWith(self));
            }
        } finally {
            subs.forEach(PubSub::close);
            hosts.forEach(Host::close);
        }
    }
}
