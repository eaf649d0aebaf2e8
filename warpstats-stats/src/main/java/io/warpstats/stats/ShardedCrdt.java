package io.warpstats.stats;

import io.warpstats.crdt.CrdtMetrics;
import io.warpstats.crdt.Head;
import io.warpstats.crdt.MaterializedView;
import io.warpstats.crdt.MerkleCrdt;
import io.warpstats.crdt.RejectedBlockException;
import io.warpstats.crdt.ReplicationPort;
import io.warpstats.crdt.ViewRows;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * The statistics over one engine per shard ({@link Shards}): every key, key prefix and view row that names
 * a post goes to the engine of the post's shard, so the {@link StatsService} works unchanged on a sharded
 * node. Keys that name no post (a global query, the migration marker) go to every shard.
 *
 * <p>Guarantees: a write, read or post query touches exactly one engine; {@link #flush()},
 * {@link #compact()} and {@link #tidy()} complete when every shard's has; {@link #heads()} and {@link #metrics()} are over all
 * shards. {@link #replication()} is refused: the network side is per shard (each engine has its own port,
 * DAG and topic). Thread-safe as the engines are.
 */
final class ShardedCrdt implements MerkleCrdt {
    private final Shards shards;
    private final List<MerkleCrdt> engines;
    private final String dagName;

    ShardedCrdt(Shards shards, List<MerkleCrdt> engines, String dagName) {
        if (engines.size() != shards.count()) throw new IllegalArgumentException(engines.size() + " engines for " + shards.count() + " shards");
        this.shards = shards;
        this.engines = List.copyOf(engines);
        this.dagName = dagName;
    }

    private MerkleCrdt engineOf(String key) {
        return engines.get(shards.shardOfKey(key)
                .orElseThrow(() -> new IllegalArgumentException("not a statistics key of a post: " + key)));
    }

    @Override public String dagName() { return dagName; }
    @Override public void put(String key, byte[] value) { engineOf(key).put(key, value); }
    @Override public void delete(String key) { engineOf(key).delete(key); }
    @Override public Optional<byte[]> get(String key) { return engineOf(key).get(key); }
    @Override public Optional<byte[]> getDurable(String key) { return engineOf(key).getDurable(key); }

    @Override
    public void query(String prefix, BiConsumer<String, byte[]> visitor) {
        Optional<Integer> s = shards.shardOfKey(prefix);
        if (s.isPresent()) {
            engines.get(s.get()).query(prefix, visitor);
        } else {
            engines.forEach(e -> e.query(prefix, visitor)); // shard by shard, each in key order
        }
    }

    /** A post's prefix: its shard's page. Any other prefix: the first {@code limit} keys of the merged shards. */
    @Override
    public void query(String prefix, String startAfter, int limit, BiConsumer<String, byte[]> visitor) {
        Optional<Integer> s = shards.shardOfKey(prefix);
        if (s.isPresent()) {
            engines.get(s.get()).query(prefix, startAfter, limit, visitor);
            return;
        }
        TreeMap<String, byte[]> merged = new TreeMap<>();
        for (MerkleCrdt e : engines) e.query(prefix, startAfter, limit, merged::put);
        merged.entrySet().stream().limit(limit).forEach(en -> visitor.accept(en.getKey(), en.getValue()));
    }

    @Override
    public CompletableFuture<Void> flush() {
        return CompletableFuture.allOf(engines.stream().map(MerkleCrdt::flush).toArray(CompletableFuture[]::new));
    }

    @Override
    public CompletableFuture<Void> compact() {
        return CompletableFuture.allOf(engines.stream().map(MerkleCrdt::compact).toArray(CompletableFuture[]::new));
    }

    @Override
    public CompletableFuture<Void> tidy() {
        return CompletableFuture.allOf(engines.stream().map(MerkleCrdt::tidy).toArray(CompletableFuture[]::new));
    }

    @Override
    public List<Head> heads() {
        List<Head> all = new ArrayList<>();
        engines.forEach(e -> all.addAll(e.heads()));
        return all;
    }

    @Override
    public ViewRows view(MaterializedView view) {
        List<ViewRows> rows = new ArrayList<>(engines.size());
        engines.forEach(e -> rows.add(e.view(view)));
        return new RoutedRows(rows);
    }

    /** Refused: each shard's engine has its own replication port. */
    @Override
    public ReplicationPort replication() {
        throw new UnsupportedOperationException("a sharded CRDT has one replication port per shard: use the shard's engine");
    }

    @Override
    public CrdtMetrics metrics() {
        long puts = 0, local = 0, merged = 0, rejected = 0, fetchFailures = 0, held = 0, lag = 0, checkpoints = 0, reaped = 0, pruned = 0, storeCompactions = 0;
        int pending = 0, inFlight = 0, heads = 0;
        Map<RejectedBlockException.Reason, Long> byReason = new EnumMap<>(RejectedBlockException.Reason.class);
        for (MerkleCrdt e : engines) {
            CrdtMetrics m = e.metrics();
            puts += m.puts();
            local += m.localBlocks();
            merged += m.mergedBlocks();
            rejected += m.rejectedBlocks();
            fetchFailures += m.fetchFailures();
            pending += m.pendingBlocks();
            inFlight += m.fetchesInFlight();
            heads += m.heads();
            held += m.blocksHeld();
            lag = Math.max(lag, m.syncLagMillis());
            checkpoints += m.checkpoints();
            reaped += m.reapedBlocks();
            pruned += m.prunedLinks();
            storeCompactions += m.storeCompactions();
            m.rejectedByReason().forEach((r, n) -> byReason.merge(r, n, Long::sum));
        }
        return new CrdtMetrics(puts, local, merged, rejected, fetchFailures, pending, inFlight, heads, held, lag, byReason,
                checkpoints, reaped, pruned, storeCompactions);
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (MerkleCrdt e : engines) {
            try {
                e.close();
            } catch (RuntimeException ex) {
                if (first == null) first = ex; else first.addSuppressed(ex);
            }
        }
        if (first != null) throw first;
    }

    /**
     * The {@link Aggregates} rows of every shard: a row of a post ({@code agg/…/{postId}},
     * {@code members/…/{postId}}, {@code activity/{postId}}) lives in its post's shard; any other row (the
     * migration marker) is written to every shard and is present only when every shard has it.
     */
    private final class RoutedRows implements ViewRows {
        private final List<ViewRows> rows;

        RoutedRows(List<ViewRows> rows) {
            this.rows = rows;
        }

        private Optional<Integer> shardOfRow(String row) {
            if (row.startsWith(Aggregates.ACTIVITY)) return Optional.of(shards.shardOf(row.substring(Aggregates.ACTIVITY.length())));
            if (row.startsWith(Aggregates.AGG) || row.startsWith(Aggregates.MEMBERS)) {
                int slash = row.indexOf('/', row.indexOf('/') + 1);
                if (slash > 0) return Optional.of(shards.shardOf(row.substring(slash + 1)));
            }
            return Optional.empty();
        }

        @Override
        public Optional<byte[]> get(String row) {
            Optional<Integer> s = shardOfRow(row);
            if (s.isPresent()) return rows.get(s.get()).get(row);
            Optional<byte[]> first = Optional.empty();
            for (ViewRows r : rows) {
                Optional<byte[]> v = r.get(row);
                if (v.isEmpty()) return Optional.empty();
                if (first.isEmpty()) first = v;
            }
            return first;
        }

        @Override
        public void put(String row, byte[] value) {
            Optional<Integer> s = shardOfRow(row);
            if (s.isPresent()) {
                rows.get(s.get()).put(row, value);
            } else {
                rows.forEach(r -> r.put(row, value));
            }
        }

        @Override
        public void afterCommit(Runnable task) {
            rows.get(0).afterCommit(task);
        }
    }
}
