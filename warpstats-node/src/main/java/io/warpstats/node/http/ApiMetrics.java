package io.warpstats.node.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.warpstats.stats.Source;
import io.warpstats.stats.StatsService;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The meters of the API and of the node: operations by outcome, request latencies by route and status,
 * merges, blocks, heads, peers, sync lag, store size, outbox and read source.
 */
final class ApiMetrics {
    /** The methods recorded by name. */
    static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "DELETE", "PUT", "PATCH", "OPTIONS");
    private final PrometheusMeterRegistry registry;
    private final DashboardHistory history;
    // the meters already registered, by their tags: one map lookup per request instead of a builder and a registry lookup
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    ApiMetrics(PrometheusMeterRegistry registry, StatsService stats, CachedNodeInfo node, DashboardHistory history) {
        this.registry = registry;
        this.history = history;
        FunctionCounter.builder("warpstats.crdt.merges", node, n -> n.get().merges())
                .description("blocks merged since start").register(registry);
        Gauge.builder("warpstats.crdt.blocks", node, n -> n.get().blocks()).description("blocks in the store").register(registry);
        Gauge.builder("warpstats.crdt.heads", node, n -> n.get().heads().size()).description("DAG heads").register(registry);
        Gauge.builder("warpstats.p2p.peers", node, n -> n.get().peers().size()).description("connected peers").register(registry);
        Gauge.builder("warpstats.sync.lag", node, n -> n.get().syncLagSeconds()).baseUnit("seconds")
                .description("age of the oldest head heard of and not merged yet").register(registry);
        Gauge.builder("warpstats.store.size", node, n -> n.get().storeSizeBytes()).baseUnit("bytes").register(registry);
        Gauge.builder("warpstats.stats.outbox", stats, StatsService::outboxSize)
                .description("CRDT keys in the outbox plus writes above the mirror watermark: not yet in the CRDT").register(registry);
        Gauge.builder("warpstats.stats.source.crdt", stats, s -> s.source() == Source.CRDT ? 1 : 0)
                .description("1 if reads come from the CRDT, 0 if from the local database").register(registry);
    }

    /** Counts an operation by outcome; an accepted write ({@code ok}) is also counted in the dashboard's history. */
    void operation(String op, String outcome) {
        if (outcome.equals("ok")) history.recordWrite(op);
        counters.computeIfAbsent(op + " " + outcome, k -> Counter.builder("warpstats.operations").tag("operation", op)
                .tag("outcome", outcome).description("statistics operations by outcome").register(registry)).increment();
    }

    /**
     * Records a request's latency by route template, method and status. A method outside
     * {@link #METHODS} is recorded as {@code other}, so hostile method names cannot add series.
     */
    void request(String route, String method, int status, long nanos) {
        String m = METHODS.contains(method) ? method : "other";
        timers.computeIfAbsent(route + " " + m + " " + status, k -> Timer.builder("warpstats.http.requests").tag("route", route)
                .tag("method", m).tag("status", Integer.toString(status)).publishPercentiles(0.5, 0.99)
                .distributionStatisticExpiry(Duration.ofMinutes(2)).register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Counts a request answered 429 (over its client's read or write limit). */
    void rateLimited(boolean write) {
        String kind = write ? "write" : "read";
        counters.computeIfAbsent("429 " + kind, k -> Counter.builder("warpstats.http.rate.limited").tag("kind", kind)
                .description("requests answered 429: the client was over its rate limit").register(registry)).increment();
    }

    String scrape() {
        return registry.scrape();
    }
}
