package io.warpstats.p2p.interop;

import static io.warpstats.p2p.testing.TestHosts.addr;
import static io.warpstats.p2p.testing.TestHosts.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.warpstats.p2p.Connection;
import io.warpstats.p2p.Host;
import io.warpstats.p2p.IdentifyInfo;
import io.warpstats.p2p.Multiaddr;
import io.warpstats.p2p.PeerId;
import io.warpstats.p2p.echo.Echo;
import io.warpstats.p2p.ping.Ping;
import io.warpstats.p2p.testing.JsPeer;
import io.warpstats.p2p.testing.TestHosts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Interop with the real js-libp2p peer of shared/interop/js-peer, both directions. */
class JsInteropTest {

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void javaDialsJs() throws Exception {
        JsPeer.directory();
        try (JsPeer js = JsPeer.start("--count", "0"); Host java = TestHosts.listening()) {
            Multiaddr target = Multiaddr.parse(js.multiaddr());
            Connection c = await(java.dial(target));
            assertThat(c.remotePeer()).isEqualTo(target.peerId().orElseThrow());

            List<Duration> rtts = await(Ping.ping(c, 3));
            assertThat(rtts).hasSize(3);

            assertThat(await(Echo.request(c, "hello-from-java"))).isEqualTo("echo:hello-from-java");
            js.await("echo-request", n -> n.path("data").asText().equals("hello-from-java"), 10_000);

            IdentifyInfo info = await(c.identified());
            assertThat(info.protocols()).contains("/meshsub/1.1.0", "/ipfs/id/1.0.0", Ping.PROTOCOL, Echo.PROTOCOL);
            assertThat(info.agentVersion()).contains("js-libp2p");
            assertThat(java.identifyInfo(c.remotePeer())).contains(info);

            JsonNode seen = js.await("peer:identify", n -> n.path("peer").asText().equals(java.peerId().toString()), 10_000);
            assertThat(texts(seen.path("protocols"))).contains(Echo.PROTOCOL, Ping.PROTOCOL, "/ipfs/id/1.0.0");
        }
    }

    @Test
    void jsDialsJava() throws Exception {
        JsPeer.directory();
        try (Host java = TestHosts.listening(); JsPeer js = JsPeer.start("--dial", addr(java).toString(), "--count", "0")) {
            String me = java.peerId().toString();
            assertThat(js.await("dialed").path("peer").asText()).isEqualTo(me);
            JsonNode ping = js.await("ping", n -> true, 20_000);
            assertThat(ping.path("rttMs").asDouble()).isGreaterThanOrEqualTo(0);
            JsonNode echo = js.await("echo-response", n -> true, 20_000);
            assertThat(echo.path("data").asText()).startsWith("echo:ping-from-");
            JsonNode id = js.await("peer:identify", n -> n.path("peer").asText().equals(me), 20_000);
            assertThat(texts(id.path("protocols"))).contains(Echo.PROTOCOL);
            assertThat(id.path("agent").asText()).isEqualTo(java.options().agentVersion());
            assertThat(js.events()).noneMatch(n -> n.path("event").asText().endsWith("-failed"));

            // identify the other way, on the connection js opened
            PeerId jsPeer = PeerId.parse(js.await("listening").path("peerId").asText());
            Connection back = java.connection(jsPeer).orElseThrow();
            assertThat(await(back.identified()).protocols()).contains("/meshsub/1.1.0");
            assertThat(await(Echo.request(back, "java-answers"))).isEqualTo("echo:java-answers");
            assertThat(await(Ping.ping(back, 1))).hasSize(1);
        }
    }
}
