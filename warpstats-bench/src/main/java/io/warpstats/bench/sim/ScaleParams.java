package io.warpstats.bench.sim;

/**
 * One configuration of the scale simulation.
 *
 * @param nodes          writing nodes (N), 2 or more
 * @param shards         shards of the statistics keyspace (1: every node follows the one DAG; more: each writing
 *                       node follows one shard, node i shard i mod shards, and nodes ≥ 2 × shards)
 * @param observers      extra nodes that follow every shard and write nothing (the "follows all" reference)
 * @param puts           puts of the workload (views, and likes in the share below), spread evenly over virtual time
 * @param putsPerSecond  the workload's rate over the whole network, per virtual second
 * @param posts          posts the puts pick from, uniformly
 * @param likeShare      share of puts that are likes (a set member /likers/{post}/{user}) rather than views (0..1)
 * @param degree         peers each node dials among the followers of a shard it follows (it may get more: others dial it)
 * @param minLatencyMs   smallest one-way latency of a link
 * @param maxLatencyMs   largest one-way latency of a link (each link draws one latency, uniformly, kept for the run)
 * @param flushDelayMs   a node flushes an engine's pending delta this long after its first change (production: 10 ms)
 * @param rebroadcastMs  each engine re-announces its heads and retries failed fetches this often (production: 10 s)
 * @param maxVirtualMs   the run fails if it has not converged this long after the last put
 * @param seed           every random choice of the run (keys, topology, latencies, workload, routers)
 */
record ScaleParams(int nodes, int shards, int observers, int puts, int putsPerSecond, int posts, double likeShare,
                   int degree, int minLatencyMs, int maxLatencyMs, int flushDelayMs, int rebroadcastMs, long maxVirtualMs,
                   long seed) {
    ScaleParams {
        if (nodes < 2) throw new IllegalArgumentException("nodes must be >= 2");
        if (shards < 1 || shards > 256) throw new IllegalArgumentException("shards must be 1..256");
        if (shards > 1 && nodes < 2 * shards) throw new IllegalArgumentException("need at least 2 writing nodes per shard");
        if (observers < 0 || puts < 1 || putsPerSecond < 1 || posts < 1) throw new IllegalArgumentException("bad workload");
        if (likeShare < 0 || likeShare > 1) throw new IllegalArgumentException("likeShare must be 0..1");
        if (degree < 1 || minLatencyMs < 0 || maxLatencyMs < minLatencyMs) throw new IllegalArgumentException("bad network");
        if (flushDelayMs < 0 || rebroadcastMs < 1 || maxVirtualMs < 1) throw new IllegalArgumentException("bad timing");
    }

    /** The defaults of the published run for {@code nodes} and {@code shards} (observers: 2 when sharded). */
    static ScaleParams of(int nodes, int shards, int puts, long seed) {
        return new ScaleParams(nodes, shards, shards > 1 ? 2 : 0, puts, 200, 10_000, 0.1, 8, 5, 50, 10, 10_000, 600_000, seed);
    }

    /** A copy with another rebroadcast interval. */
    ScaleParams withRebroadcastMs(int ms) {
        return new ScaleParams(nodes, shards, observers, puts, putsPerSecond, posts, likeShare, degree, minLatencyMs, maxLatencyMs,
                flushDelayMs, ms, maxVirtualMs, seed);
    }

    /** A copy with another workload rate (puts per virtual second over the whole network). */
    ScaleParams withPutsPerSecond(int rate) {
        return new ScaleParams(nodes, shards, observers, puts, rate, posts, likeShare, degree, minLatencyMs, maxLatencyMs,
                flushDelayMs, rebroadcastMs, maxVirtualMs, seed);
    }

    /** A copy with another number of nodes. */
    ScaleParams withNodes(int n) {
        return new ScaleParams(n, shards, observers, puts, putsPerSecond, posts, likeShare, degree, minLatencyMs, maxLatencyMs,
                flushDelayMs, rebroadcastMs, maxVirtualMs, seed);
    }
}
