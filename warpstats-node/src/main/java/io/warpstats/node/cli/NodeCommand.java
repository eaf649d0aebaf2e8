package io.warpstats.node.cli;

import io.warpstats.node.core.Node;
import io.warpstats.node.core.NodeConfig;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code warpstats node}: runs a full node until SIGTERM/SIGINT. The first line of stdout is the
 * node's full multiaddr (with {@code /p2p/…}); logs go to stderr. A shutdown hook closes the node
 * gracefully (flush, close pubsub and host, close the stores).
 */
@Command(name = "node", description = "Run a full node (prints its multiaddr first, then runs until SIGTERM).")
public final class NodeCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(NodeCommand.class);

    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", description = "Data directory (identity key, CRDT store, local database).")
    @Nullable Path dataDir;

    @Option(names = "--listen", description = "Listen multiaddr (default /ip4/127.0.0.1/tcp/0).")
    @Nullable String listen;

    @Option(names = "--bootstrap", description = "A peer to connect to and keep connected (repeatable).")
    @Nullable List<String> bootstrap;

    @Option(names = "--http", description = "Serve the HTTP API and dashboard on HOST:PORT.")
    @Nullable String http;

    @Option(names = "--http-token", description = "Bearer token of the HTTP API (required off loopback).")
    @Nullable String httpToken;

    @Option(names = "--http-read-rate", paramLabel = "N",
            description = "Reads (GET, HEAD of /v1/) per second per HTTP client, 0..1000000; 0: no limit (default 0).")
    @Nullable String httpReadRate;

    @Option(names = "--http-read-burst", paramLabel = "N", description = "Reads a client may make at once (default: the rate).")
    @Nullable String httpReadBurst;

    @Option(names = "--http-write-rate", paramLabel = "N",
            description = "Writes (other methods of /v1/) per second per HTTP client, 0..1000000; 0: no limit (default 0).")
    @Nullable String httpWriteRate;

    @Option(names = "--http-write-burst", paramLabel = "N", description = "Writes a client may make at once (default: the rate).")
    @Nullable String httpWriteBurst;

    @Option(names = "--event-log-max-age-hours", paramLabel = "H",
            description = "Records of the local event log older than this are removed, 1..87600 (default 168: 7 days).")
    @Nullable String eventLogMaxAgeHours;

    @Option(names = "--event-log-max-records", paramLabel = "N",
            description = "The local event log keeps at most this many records, the newest, 1..1000000000 (default 1000000).")
    @Nullable String eventLogMaxRecords;

    @Option(names = "--shards", paramLabel = "N",
            description = "The network's shard count, 1..256 (default 1; fixed per network and recorded in the data directory).")
    @Nullable String shards;

    @Option(names = "--follow-shards", paramLabel = "LIST",
            description = "The shards this node stores and relays: comma-separated numbers 0..N-1, or all (default).")
    @Nullable String followShards;

    @Option(names = "--config", description = "A properties file of settings (flags override it; see docs/node.md).")
    @Nullable Path config;

    /** Settings from the flags and the file. */
    NodeConfig nodeConfig() {
        NodeSettings s = new NodeSettings();
        if (config != null) s.load(config);
        s.set("data-dir", dataDir == null ? null : dataDir.toString());
        s.set("listen", listen);
        s.set("bootstrap", bootstrap == null ? null : String.join(",", bootstrap));
        s.set("http", http);
        s.set("http-token", httpToken);
        s.set("http-read-rate", httpReadRate);
        s.set("http-read-burst", httpReadBurst);
        s.set("http-write-rate", httpWriteRate);
        s.set("http-write-burst", httpWriteBurst);
        s.set("event-log-max-age-hours", eventLogMaxAgeHours);
        s.set("event-log-max-records", eventLogMaxRecords);
        s.set("shards", shards);
        s.set("follow-shards", followShards);
        return s.toConfig();
    }

    @Override
    public Integer call() throws InterruptedException {
        NodeConfig cfg = nodeConfig();
        Node node;
        try {
            node = Node.start(cfg);
        } catch (UncheckedIOException e) {
            spec.commandLine().getErr().println("failed: " + e.getCause().getMessage());
            return 1;
        } catch (IllegalArgumentException e) { // the configuration does not fit the data directory (its shard count)
            throw new BadInputException(e.getMessage(), e);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            stopped.countDown();
        }, "shutdown"));
        spec.commandLine().getOut().println(node.address());
        spec.commandLine().getOut().flush();
        node.httpAddress().ifPresent(a -> log.info("HTTP API and dashboard on http://{}:{}/", a.getHostString(), a.getPort()));
        stopped.await();
        return 0;
    }
}
