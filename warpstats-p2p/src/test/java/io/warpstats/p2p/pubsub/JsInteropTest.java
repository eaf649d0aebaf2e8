package io.warpstats.p2p.pubsub;

import static io.warpstats.p2p.testing.TestHosts.addr;
import static io.warpstats.p2p.testing.TestHosts.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.p2p.Host;
import io.warpstats.p2p.PeerId;
import io.warpstats.p2p.testing.JsPeer;
import io.warpstats.p2p.testing.TestHosts;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Gossipsub against the real js-libp2p peer ({@code shared/interop/js-peer}) on 127.0.0.1. */
class JsInteropTest {

    private record JavaNode(Host host, PubSub pubsub, List<PubSubMessage> received, List<PubSubEvent> events) {
        static JavaNode start(String topic, Waiter waiter) {
            Host h = TestHosts.listening();
            PubSub ps = PubSub.create(h);
            List<PubSubMessage> got = Collections.synchronizedList(new ArrayList<>());
            ps.subscribe(topic, m -> {
                got.add(m);
                waiter.signal();
            });
            List<PubSubEvent> events = Collections.synchronizedList(new ArrayList<>());
            ps.addEventListener(e -> {
                events.add(e);
                waiter.signal();
            });
            return new JavaNode(h, ps, got, events);
        }

        List<String> texts() {
            synchronized (received) {
                return received.stream().map(m -> new String(m.data(), StandardCharsets.UTF_8)).toList();
            }
        }

        void close() {
            pubsub.close();
            host.close();
        }
    }

    @Test
    void messagesFlowBothWaysWithTheJsPeer() throws Exception {
        String topic = "interop-both-ways";
        Waiter waiter = new Waiter();
        JavaNode j = JavaNode.start(topic, waiter);
        try (JsPeer js = JsPeer.start(waiter::signal, "--dial", addr(j.host()).toString(), "--topic", topic,
                "--count", "3", "--interval", "200", "--reply")) {
            waiter.await("js listening", 30_000, () -> !js.events("listening").isEmpty());
            PeerId jsId = PeerId.parse(js.peerId());
            waiter.await("js subscribed", 20_000, () -> await(j.pubsub().peers(topic)).contains(jsId));
            synchronized (j.events()) {
                assertThat(j.events()).as("js-libp2p gossipsub speaks v1.2 (IDONTWANT)")
                        .contains(new PubSubEvent.PeerAdded(jsId, PubSubProtocol.MESHSUB_V12));
            }
            waiter.await("3 messages from js", 20_000, () -> j.texts().stream().filter(t -> t.startsWith("hello")).count() == 3);
            await(j.pubsub().publish(topic, "from-java".getBytes(StandardCharsets.UTF_8)));
            waiter.await("js got our message and acked", 20_000, () -> j.texts().contains("ack:from-java"));
            // the ack can arrive before the js peer's line about our message has been read from its stdout
            waiter.await("js printed our message", 20_000, () -> !js.events("message", n -> n.path("data").asText().equals("from-java")).isEmpty());
            List<com.fasterxml.jackson.databind.JsonNode> atJs = js.events("message",
                    n -> n.path("data").asText().equals("from-java"));
            assertThat(atJs).hasSize(1);
            assertThat(atJs.get(0).path("from").asText()).isEqualTo(j.host().peerId().toString());
            assertThat(j.received()).allMatch(m -> m.from().equals(jsId));
            assertThat(j.texts()).doesNotHaveDuplicates().hasSize(4);
        } finally {
            j.close();
        }
    }

    @Test
    void mixedNetworkOfTwoJsAndThreeJavaNodesDeliversEveryMessageExactlyOnce() throws Exception {
        String topic = "interop-mixed";
        Waiter waiter = new Waiter();
        List<JavaNode> java = new ArrayList<>();
        List<JsPeer> jsPeers = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) java.add(JavaNode.start(topic, waiter));
            await(java.get(1).host().dial(addr(java.get(0).host())));
            await(java.get(2).host().dial(addr(java.get(1).host())));
            waiter.await("java meshes", 15_000, () -> await(java.get(1).pubsub().mesh(topic)).size() == 2);
            // JS peers at both ends: js1 - J0 - J1 - J2 - js2; each JS publishes 2 messages 1.5 s after dialing
            jsPeers.add(JsPeer.start(waiter::signal, "--dial", addr(java.get(0).host()).toString(), "--topic", topic,
                    "--count", "2", "--interval", "300"));
            jsPeers.add(JsPeer.start(waiter::signal, "--dial", addr(java.get(2).host()).toString(), "--topic", topic,
                    "--count", "2", "--interval", "300"));
            waiter.await("js listening", 30_000, () -> jsPeers.stream().allMatch(p -> !p.events("listening").isEmpty()));
            PeerId js1 = PeerId.parse(jsPeers.get(0).peerId());
            PeerId js2 = PeerId.parse(jsPeers.get(1).peerId());
            waiter.await("js peers in the meshes", 20_000, () -> await(java.get(0).pubsub().mesh(topic)).contains(js1)
                    && await(java.get(2).pubsub().mesh(topic)).contains(js2));
            // large enough for IDONTWANT (GossipParams.idontwantMinBytes) on every v1.2 link, Java's and js's
            String pad = "x".repeat(600);
            for (int i = 0; i < 3; i++) {
                for (int k = 0; k < 2; k++) await(java.get(i).pubsub().publish(topic, (pad + " java " + k + " from " + i).getBytes(StandardCharsets.UTF_8)));
            }
            // every node receives the 8 messages of the 4 other nodes
            waiter.await("all deliveries", 30_000, () -> java.stream().allMatch(j -> j.texts().size() >= 8)
                    && jsPeers.stream().allMatch(p -> p.events("message").size() >= 8));
            for (int i = 0; i < 3; i++) {
                List<String> texts = java.get(i).texts();
                assertThat(texts).as("java %d", i).hasSize(8).doesNotHaveDuplicates();
                String own = "from " + i;
                assertThat(texts).noneMatch(t -> t.endsWith(own));
            }
            for (JsPeer p : jsPeers) {
                List<String> texts = p.events("message").stream().map(n -> n.path("data").asText()).toList();
                assertThat(texts).hasSize(8).doesNotHaveDuplicates();
                assertThat(new HashSet<>(texts)).noneMatch(t -> t.endsWith(p.peerId()));
            }
            Set<String> all = new HashSet<>(java.get(0).texts());
            assertThat(all).hasSize(8);
        } finally {
            for (JsPeer p : jsPeers) p.close();
            java.forEach(JavaNode::close);
        }
    }
}
