package io.warpstats.node.core;

import io.warpstats.node.http.HttpConfig;
import io.warpstats.p2p.Multiaddr;
import io.warpstats.stats.EventLogPolicy;
import io.warpstats.stats.StatsServiceBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Everything a {@link Node} needs; {@link #defaults(Path, Multiaddr)} gives the documented defaults
 * (docs/node.md), the {@code with…} methods change one field.
 *
 * @param dataDir             directory of the identity key ({@code identity.key}), the CRDT store ({@code crdt/}) and the local database ({@code local/})
 * @param listen              the TCP multiaddr to listen on ({@code /ip4/127.0.0.1/tcp/0} picks a free port)
 * @param bootstrap           peers dialed at start and kept connected (each with {@code /p2p/…} to authenticate it, or without to accept whoever answers)
 * @param http                the HTTP API's configuration, or {@code null} for no HTTP server
 * @param dagName             the DAG this node writes and follows ({@code ""}: the statistics DAG, announced on {@code /warpstats/stats/1.0.0})
 * @param flushDelay          the CRDT's pending delta is flushed this long after its first change
 * @param rebroadcastInterval the heads are re-announced (and failed fetches retried) this often
 * @param reconnectMin        first delay before redialing a lost or failed peer; doubled on each failure
 * @param reconnectMax        the largest redial delay (each delay is jittered by ±20 %)
 * @param maintenanceInterval how often the peer manager looks for peers to (re)dial
 * @param maxKnownPeers       the most peers remembered for reconnection and discovery (bootstrap peers always kept)
 * @param targetPeers         the peer manager stops dialing discovered (non-bootstrap) peers once this many are connected
 * @param fetchTimeout        one sync request (a round of a branch fetch) to one peer must be answered within this
 * @param registerDelay       this node's view total and last-activity time of a post are put into the CRDT at most this often (0 … 60 s, 0: with every write; {@link io.warpstats.stats.StatsServiceBuilder#registerDelay})
 * @param eventLog            how long and how many records the local database's event log keeps (who did what and every total are kept regardless)
 * @param shards              the network's shard count and the shards this node follows ({@link ShardSelection#UNSHARDED} by default)
 */
public record NodeConfig(Path dataDir, Multiaddr listen, List<Multiaddr> bootstrap, @Nullable HttpConfig http, String dagName,
                         Duration flushDelay, Duration rebroadcastInterval, Duration reconnectMin, Duration reconnectMax,
                         Duration maintenanceInterval, int maxKnownPeers, int targetPeers, Duration fetchTimeout,
                         Duration registerDelay, EventLogPolicy eventLog, ShardSelection shards) {

    public NodeConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(listen, "listen");
        if (listen.tcpAddress().isEmpty()) throw new IllegalArgumentException("listen address must be /ip4|ip6/…/tcp/PORT: " + listen);
        bootstrap = List.copyOf(bootstrap);
        if (bootstrap.size() > 256) throw new IllegalArgumentException("at most 256 bootstrap peers");
        for (Multiaddr b : bootstrap) {
            if (b.tcpAddress().isEmpty()) throw new IllegalArgumentException("bootstrap address must be /ip4|ip6/…/tcp/PORT[/p2p/ID]: " + b);
        }
        Objects.requireNonNull(dagName, "dagName");
        if (!dagName.matches("[A-Za-z0-9._-]{0,64}")) throw new IllegalArgumentException("dag name must be 0..64 of [A-Za-z0-9._-]");
        positive("flushDelay", flushDelay);
        positive("rebroadcastInterval", rebroadcastInterval);
        positive("reconnectMin", reconnectMin);
        positive("reconnectMax", reconnectMax);
        positive("maintenanceInterval", maintenanceInterval);
        positive("fetchTimeout", fetchTimeout);
        StatsServiceBuilder.checkRegisterDelay(registerDelay);
        if (reconnectMax.compareTo(reconnectMin) < 0) throw new IllegalArgumentException("reconnectMax < reconnectMin");
        if (maxKnownPeers < 1 || maxKnownPeers > 10_000) throw new IllegalArgumentException("maxKnownPeers must be 1..10000");
        if (targetPeers < 1 || targetPeers > 1000) throw new IllegalArgumentException("targetPeers must be 1..1000");
        Objects.requireNonNull(eventLog, "eventLog");
        Objects.requireNonNull(shards, "shards");
    }

    private static void positive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be positive");
        if (d.compareTo(Duration.ofHours(24)) > 0) throw new IllegalArgumentException(name + " must be at most 24 h");
    }

    /**
     * No bootstrap peers, no HTTP; 10 ms flush, 5 s rebroadcast, redial 250 ms … 30 s, maintenance 500 ms, 256 known, 16 target,
     * 10 s fetch, 1 s register delay, event log kept 7 days and at most 1,000,000 records ({@link EventLogPolicy#defaults()}).
     */
    public static NodeConfig defaults(Path dataDir, Multiaddr listen) {
        return new NodeConfig(dataDir, listen, List.of(), null, "", Duration.ofMillis(10), Duration.ofSeconds(5),
                Duration.ofMillis(250), Duration.ofSeconds(30), Duration.ofMillis(500), 256, 16, Duration.ofSeconds(10),
                StatsServiceBuilder.DEFAULT_REGISTER_DELAY, EventLogPolicy.defaults(), ShardSelection.UNSHARDED);
    }

    public NodeConfig withBootstrap(List<Multiaddr> peers) {
        return new NodeConfig(dataDir, listen, peers, http, dagName, flushDelay, rebroadcastInterval, reconnectMin, reconnectMax,
                maintenanceInterval, maxKnownPeers, targetPeers, fetchTimeout, registerDelay, eventLog, shards);
    }

    public NodeConfig withHttp(@Nullable HttpConfig h) {
        return new NodeConfig(dataDir, listen, bootstrap, h, dagName, flushDelay, rebroadcastInterval, reconnectMin, reconnectMax,
                maintenanceInterval, maxKnownPeers, targetPeers, fetchTimeout, registerDelay, eventLog, shards);
    }

    public NodeConfig withListen(Multiaddr l) {
        return new NodeConfig(dataDir, l, bootstrap, http, dagName, flushDelay, rebroadcastInterval, reconnectMin, reconnectMax,
                maintenanceInterval, maxKnownPeers, targetPeers, fetchTimeout, registerDelay, eventLog, shards);
    }

    public NodeConfig withTimings(Duration flush, Duration rebroadcast, Duration redialMin, Duration redialMax, Duration maintenance) {
        return new NodeConfig(dataDir, listen, bootstrap, http, dagName, flush, rebroadcast, redialMin, redialMax,
                maintenance, maxKnownPeers, targetPeers, fetchTimeout, registerDelay, eventLog, shards);
    }

    public NodeConfig withEventLog(EventLogPolicy policy) {
        return new NodeConfig(dataDir, listen, bootstrap, http, dagName, flushDelay, rebroadcastInterval, reconnectMin, reconnectMax,
                maintenanceInterval, maxKnownPeers, targetPeers, fetchTimeout, registerDelay, policy, shards);
    }

    public NodeConfig withPeerLimits(int known, int target) {
        return new NodeConfig(dataDir, listen, bootstrap, http, dagName, flushDelay, rebroadcastInterval, reconnectMin, reconnectMax,
                maintenanceInterval, known, target, fetchTimeout, registerDelay, eventLog, shards);
    }

    public NodeConfig withRegisterDelay(Duration d) {
        return new NodeConfig(dataDir, listen, bootstrap, http, dagName, flushDelay, rebroadcastInterval, reconnectMin, reconnectMax,
                maintenanceInterval, maxKnownPeers, targetPeers, fetchTimeout, d, eventLog, shards);
    }

    public NodeConfig withShards(ShardSelection s) {
        return new NodeConfig(dataDir, listen, bootstrap, http, dagName, flushDelay, rebroadcastInterval, reconnectMin, reconnectMax,
                maintenanceInterval, maxKnownPeers, targetPeers, fetchTimeout, registerDelay, eventLog, s);
    }
}
