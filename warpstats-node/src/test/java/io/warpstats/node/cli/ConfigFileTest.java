package io.warpstats.node.cli;

import static io.warpstats.node.cli.ApiNode.cli;
import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.node.cli.ApiNode.Run;
import io.warpstats.node.core.NodeConfig;
import io.warpstats.node.http.HttpLimits;
import io.warpstats.p2p.Multiaddr;
import io.warpstats.p2p.limit.Rate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code --config FILE}: what each key of a node's file sets, flags over the file, a bad file is one line and
 * exit 2; client commands find the node and its token in the same file.
 */
class ConfigFileTest {
    static final String TOKEN = "s3cret-token-0123456789";
    @TempDir Path dir;

    Path file(String name, String text) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    static NodeConfig nodeConfig(String... args) {
        CommandLine cl = Main.commandLine();
        CommandLine.ParseResult pr = cl.parseArgs(args);
        return ((NodeCommand) pr.subcommand().commandSpec().userObject()).nodeConfig();
    }

    @Test
    void everyKeyOfTheFileIsSetAndFlagsWin() throws Exception {
        Path f = file("node.conf", """
                # every setting
                data-dir=%s
                listen=/ip4/0.0.0.0/tcp/4001
                bootstrap=/ip4/10.0.0.2/tcp/4001, /ip4/10.0.0.3/tcp/4002
                http=0.0.0.0:8081
                http-token=%s
                dag-name=stats-test
                flush-delay-ms=25
                rebroadcast-interval-ms=7000
                reconnect-min-ms=300
                reconnect-max-ms=40000
                maintenance-interval-ms=600
                max-known-peers=100
                target-peers=8
                fetch-timeout-ms=12000
                register-delay-ms=0
                event-log-max-age-hours=48
                event-log-max-records=5000
                shards=8
                follow-shards=1, 6
                http-read-rate=200
                http-read-burst=400
                http-write-rate=50
                http-max-clients=500
                """.formatted(dir.resolve("data"), TOKEN));
        NodeConfig c = nodeConfig("node", "--config", f.toString());
        assertThat(c.dataDir()).isEqualTo(dir.resolve("data"));
        assertThat(c.listen()).isEqualTo(Multiaddr.parse("/ip4/0.0.0.0/tcp/4001"));
        assertThat(c.bootstrap()).containsExactly(Multiaddr.parse("/ip4/10.0.0.2/tcp/4001"), Multiaddr.parse("/ip4/10.0.0.3/tcp/4002"));
        assertThat(c.http().host()).isEqualTo("0.0.0.0");
        assertThat(c.http().port()).isEqualTo(8081);
        assertThat(c.http().bearerToken()).isEqualTo(TOKEN);
        assertThat(c.dagName()).isEqualTo("stats-test");
        assertThat(List.of(c.flushDelay(), c.rebroadcastInterval(), c.reconnectMin(), c.reconnectMax(), c.maintenanceInterval(), c.fetchTimeout()))
                .containsExactly(Duration.ofMillis(25), Duration.ofMillis(7000), Duration.ofMillis(300), Duration.ofMillis(40000),
                        Duration.ofMillis(600), Duration.ofMillis(12000));
        assertThat(c.registerDelay()).isZero();
        assertThat(c.maxKnownPeers()).isEqualTo(100);
        assertThat(c.targetPeers()).isEqualTo(8);
        assertThat(c.eventLog().maxAge()).isEqualTo(Duration.ofHours(48));
        assertThat(c.eventLog().maxRecords()).isEqualTo(5000);
        assertThat(c.shards().shards().count()).isEqualTo(8);
        assertThat(c.shards().followed()).containsExactly(1, 6);
        assertThat(nodeConfig("node", "--config", f.toString(), "--follow-shards", "all").shards().followed()).hasSize(8);
        assertThat(c.http().limits()).isEqualTo(new HttpLimits(Rate.of(200, 400), Rate.of(50, 50), 500));

        NodeConfig o = nodeConfig("node", "--config", f.toString(), "--data-dir", dir.resolve("other").toString(),
                "--listen", "/ip4/127.0.0.1/tcp/5001", "--bootstrap", "/ip4/10.0.0.9/tcp/1", "--http", "127.0.0.1:9000",
                "--http-read-rate", "0", "--http-write-burst", "80");
        assertThat(o.http().limits()).as("a rate of 0 is no limit").isEqualTo(new HttpLimits(Rate.OFF, Rate.of(50, 80), 500));
        assertThat(o.dataDir()).isEqualTo(dir.resolve("other"));
        assertThat(o.listen()).isEqualTo(Multiaddr.parse("/ip4/127.0.0.1/tcp/5001"));
        assertThat(o.bootstrap()).containsExactly(Multiaddr.parse("/ip4/10.0.0.9/tcp/1"));
        assertThat(o.http().host()).isEqualTo("127.0.0.1");
        assertThat(o.http().port()).isEqualTo(9000);
        assertThat(o.flushDelay()).isEqualTo(Duration.ofMillis(25)); // still from the file
        NodeConfig e = nodeConfig("node", "--config", f.toString(), "--event-log-max-age-hours", "2", "--event-log-max-records", "70");
        assertThat(e.eventLog().maxAge()).isEqualTo(Duration.ofHours(2));
        assertThat(e.eventLog().maxRecords()).isEqualTo(70);

        NodeConfig d = nodeConfig("node", "--config", file("min.conf", "data-dir=" + dir.resolve("d")).toString());
        NodeConfig defaults = NodeConfig.defaults(dir.resolve("d"), Multiaddr.parse("/ip4/127.0.0.1/tcp/0"));
        assertThat(d).isEqualTo(defaults);
    }

    @Test
    void aBadFileIsOneLineAndExitTwo() throws Exception {
        String data = "data-dir=" + dir.resolve("data") + "\n";
        List<List<String>> cases = List.of(
                List.of(data + "flush-delay=10\n", "unknown key 'flush-delay'"),
                List.of(data + "flush-delay-ms=ten\n", "flush-delay-ms must be an integer"),
                List.of(data + "fetch-timeout-ms=0\n", "fetch-timeout-ms must be an integer in 1..86400000"),
                List.of(data + "max-known-peers=100000\n", "max-known-peers"),
                List.of(data + "register-delay-ms=60001\n", "register-delay-ms must be an integer in 0..60000"),
                List.of(data + "register-delay-ms=-1\n", "register-delay-ms must be an integer in 0..60000"),
                List.of(data + "event-log-max-age-hours=0\n", "event-log-max-age-hours must be an integer in 1..87600"),
                List.of(data + "event-log-max-records=1e9\n", "event-log-max-records must be an integer in 1..1000000000"),
                List.of(data + "event-log-max-records=1000000001\n", "event-log-max-records must be an integer in 1..1000000000"),
                List.of(data + "listen=/ip4/1.2.3.4\n", "listen address must be"),
                List.of(data + "listen=garbage\n", "bad listen multiaddr"),
                List.of(data + "bootstrap=/dns/x\n", "bootstrap"),
                List.of(data + "http=8080\n", "http must be HOST:PORT"),
                List.of(data + "http=0.0.0.0:8080\n", "bearer token"),
                List.of(data + "http=127.0.0.1:8080\nhttp-token=short\n", "at least 16"),
                List.of(data + "dag-name=a/b\n", "dag name"),
                List.of("listen=/ip4/127.0.0.1/tcp/0\n", "--data-dir is required"),
                List.of(data + "reconnect-min-ms=5000\nreconnect-max-ms=100\n", "reconnectMax"),
                List.of(data + "shards=0\n", "shards must be an integer in 1..256"),
                List.of(data + "shards=257\n", "shards must be an integer in 1..256"),
                List.of(data + "shards=4\nfollow-shards=4\n", "follow-shards must be an integer in 0..3"),
                List.of(data + "shards=4\nfollow-shards=,\n", "follow-shards must name at least one shard"),
                List.of(data + "follow-shards=1\n", "follow-shards must be an integer in 0..0"));
        int i = 0;
        for (List<String> c : cases) {
            Path f = file("bad" + i++ + ".conf", c.get(0));
            Run r = cli("node", "--config", f.toString());
            assertThat(r.code()).as("%s -> %s", c.get(0), r.err()).isEqualTo(2);
            assertThat(r.err().split("\n")).as(r.err()).hasSize(1);
            assertThat(r.err()).startsWith("error: ").contains(c.get(1));
        }
        Run missing = cli("node", "--config", dir.resolve("nope.conf").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).startsWith("error: config file not found");
        Path big = file("big.conf", "# " + "x".repeat(NodeSettings.MAX_FILE_BYTES) + "\n");
        assertThat(cli("node", "--config", big.toString()).err()).startsWith("error: config file larger than");
        Path notText = dir.resolve("dir.conf");
        Files.createDirectories(notText);
        assertThat(cli("node", "--config", notText.toString()).code()).isEqualTo(2);
        // client commands read the same file, with the same errors
        Run client = cli("stats", "p", "--config", file("bad-client.conf", data + "colour=blue\n").toString());
        assertThat(client.code()).isEqualTo(2);
        assertThat(client.err()).startsWith("error: unknown key 'colour'");
    }

    @Test
    void clientCommandsFindTheNodeAndItsTokenInTheFile() throws Exception {
        try (ApiNode node = new ApiNode(dir.resolve("node"), TOKEN)) {
            // as an operator's file would say it: the node listens on every interface
            Path conf = file("node.conf", "data-dir=/var/lib/warpstats\nhttp=0.0.0.0:" + node.port() + "\nhttp-token=" + TOKEN + "\n");
            Run like = cli("like", "cfg-post", "--user", "alice", "--config", conf.toString(), "--json");
            assertThat(like.code()).as(like.err()).isZero();
            assertThat(like.out()).contains("\"likes\":1");
            assertThat(cli("stats", "cfg-post", "--config", conf.toString()).out()).startsWith("post cfg-post: 1 likes");

            Path noToken = file("no-token.conf", "data-dir=/x\nhttp=127.0.0.1:" + node.port() + "\n");
            Run refused = cli("stats", "cfg-post", "--config", noToken.toString());
            assertThat(refused.code()).isEqualTo(1);
            assertThat(refused.err()).startsWith("failed: HTTP 401");
            assertThat(cli("stats", "cfg-post", "--config", noToken.toString(), "--token", TOKEN).code()).isZero(); // the flag adds it
            Run wrongNode = cli("stats", "cfg-post", "--config", conf.toString(), "--node", "http://127.0.0.1:1");
            assertThat(wrongNode.code()).isEqualTo(1); // the flag wins over the file's http
            assertThat(wrongNode.err()).contains("127.0.0.1:1 unreachable");

            Path noHttp = file("no-http.conf", "data-dir=/x\n");
            Run r = cli("stats", "cfg-post", "--config", noHttp.toString());
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err()).startsWith("error: the config file").contains("has no http setting");
        }
    }
}
