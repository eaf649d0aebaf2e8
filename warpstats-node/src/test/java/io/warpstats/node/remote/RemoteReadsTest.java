package io.warpstats.node.remote;

import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.node.core.Node;
import io.warpstats.node.core.NodeConfig;
import io.warpstats.node.core.ShardSelection;
import io.warpstats.node.http.HttpConfig;
import io.warpstats.p2p.HostOptions;
import io.warpstats.p2p.Multiaddr;
import io.warpstats.p2p.Stream;
import io.warpstats.p2p.crypto.PrivateKey;
import io.warpstats.p2p.host.Hosts;
import io.warpstats.stats.Shards;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Remote reads between two in-process nodes of a two-shard network (A follows shard 0, B shard 1) on
 * 127.0.0.1: A reads B's totals of a shard-1 post, a hot post costs one request per cache TTL (hits and
 * misses in {@code /metrics}), and hostile askers get bounded answers: another shard count is refused, a
 * malformed request resets the stream and penalizes the asker.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RemoteReadsTest {
    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void readsFromAFollowerCachedAndBoundedAgainstHostileAskers(@TempDir Path dir) throws Exception {
        Shards shards = new Shards(2);
        String post = "hot-post";
        int shard = shards.shardOf(post);
        NodeConfig base = NodeConfig.defaults(dir.resolve("b"), Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).withHttp(HttpConfig.loopback(0));
        try (Node b = Node.start(base.withShards(ShardSelection.of(2, List.of(shard))));
             Node a = Node.start(NodeConfig.defaults(dir.resolve("a"), Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).withHttp(HttpConfig.loopback(0))
                     .withShards(ShardSelection.of(2, List.of(1 - shard))).withBootstrap(List.of(b.address())))) {
            String urlA = "http://127.0.0.1:" + a.httpAddress().orElseThrow().getPort();
            String urlB = "http://127.0.0.1:" + b.httpAddress().orElseThrow().getPort();
            for (int i = 0; i < 3; i++) assertThat(post(urlB, "/v1/posts/" + post + "/views")).isEqualTo(200);
            assertThat(post(urlA, "/v1/posts/" + post + "/views")).as("A writes to a shard it does not follow").isEqualTo(200);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            String body;
            while (true) {
                body = get(urlA + "/v1/posts/" + post + "/stats");
                if (body.contains("\"views\":4") && body.contains("\"source\":\"peer\"")) break;
                assertThat(System.nanoTime() - deadline).as("A reads B's totals; last %s", body).isNegative();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
            assertThat(body).contains("\"partial\":false");
            double servedBefore = metric(get(urlB + "/metrics"), "warpstats_remote_reads_served_total");
            for (int i = 0; i < 20; i++) get(urlA + "/v1/posts/" + post + "/stats"); // within the 1 s TTL: from the cache
            String metricsA = get(urlA + "/metrics");
            assertThat(metric(metricsA, "cache_gets_total\\{cache=\"warpstats.remote.stats\",.*result=\"hit\"")).isGreaterThanOrEqualTo(1);
            assertThat(metric(metricsA, "cache_gets_total\\{cache=\"warpstats.remote.stats\",.*result=\"miss\"")).isGreaterThanOrEqualTo(1);
            double servedAfter = metric(get(urlB + "/metrics"), "warpstats_remote_reads_served_total");
            assertThat(servedAfter - servedBefore).as("20 reads in about a TTL cost at most a few requests").isLessThanOrEqualTo(3);

            // hostile askers, on a bare host
            try (var bare = Hosts.create(PrivateKey.generate(), HostOptions.defaults())) {
                bare.dial(b.address()).get(10, TimeUnit.SECONDS);
                Stream s = bare.newStream(b.peerId(), List.of(StatsReadCodec.PROTOCOL)).get(10, TimeUnit.SECONDS);
                s.writeMessage(StatsReadCodec.encode(new StatsReadCodec.Read(post, 3))).get(5, TimeUnit.SECONDS);
                StatsReadCodec.Totals t = StatsReadCodec.decodeTotals(s.readMessage(StatsReadCodec.MAX_ANSWER).get(5, TimeUnit.SECONDS));
                assertThat(t.status()).isEqualTo(StatsReadCodec.Status.SHARDS_MISMATCH);
                assertThat(t.views()).isZero();

                Stream n = bare.newStream(b.peerId(), List.of(StatsReadCodec.PROTOCOL)).get(10, TimeUnit.SECONDS);
                n.writeMessage(StatsReadCodec.encode(new StatsReadCodec.Read("other", 2))).get(5, TimeUnit.SECONDS);
                String other = "other";
                StatsReadCodec.Status expected = shards.shardOf(other) == shard ? StatsReadCodec.Status.UNKNOWN_POST : StatsReadCodec.Status.NOT_FOLLOWED;
                assertThat(StatsReadCodec.decodeTotals(n.readMessage(StatsReadCodec.MAX_ANSWER).get(5, TimeUnit.SECONDS)).status()).isEqualTo(expected);

                double malformedBefore = metric(get(urlB + "/metrics"), "warpstats_sync_penalties_total\\{offense=\"malformed\"");
                Stream bad = bare.newStream(b.peerId(), List.of(StatsReadCodec.PROTOCOL)).get(10, TimeUnit.SECONDS);
                bad.writeMessage(new byte[] {(byte) 0x0a, (byte) 0x7f, 1}).get(5, TimeUnit.SECONDS); // a post id longer than the frame
                assertThat(bad.closeFuture().get(10, TimeUnit.SECONDS)).isNull();
                assertThat(metric(get(urlB + "/metrics"), "warpstats_sync_penalties_total\\{offense=\"malformed\"")).isEqualTo(malformedBefore + 1);
            }
        }
    }

    private static double metric(String scrape, String regex) {
        Matcher m = Pattern.compile("(?m)^" + regex + "[^\\n]*\\} ([0-9.eE+-]+)$").matcher(scrape);
        double sum = 0;
        boolean any = false;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
            any = true;
        }
        if (!any) {
            Matcher plain = Pattern.compile("(?m)^" + regex + " ([0-9.eE+-]+)$").matcher(scrape);
            if (plain.find()) return Double.parseDouble(plain.group(1));
            throw new AssertionError("no metric " + regex + " in the scrape");
        }
        return sum;
    }

    private String get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private int post(String url, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
