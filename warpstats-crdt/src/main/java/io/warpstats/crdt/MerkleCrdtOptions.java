package io.warpstats.crdt;

import java.time.Duration;
import java.util.Objects;

/**
 * Tunables of a replica; {@link #defaults()} gives the production values.
 *
 * @param namespace            store key prefix of this replica's state (default {@code /CRDT}); wire keys never carry it
 * @param dagName              the DAG this replica writes to ({@code ""}: go-ds-crdt's default DAG)
 * @param flushDelay           the pending delta is flushed this long after its first change; zero: only on size or {@code flush()}
 * @param maxBatchKeys         the pending delta is flushed as soon as it holds this many distinct keys; a flush writes
 *                             blocks of at most this many elements (and at most {@link #MAX_BLOCK_BUDGET} bytes), a chain of several if needed
 * @param maxPendingKeys       hard bound on the distinct keys waiting for a flush (default 4 × maxBatchKeys): a put or delete
 *                             that finds this many waits for the running flush and flushes itself (backpressure), so memory
 *                             stays bounded when writers outrun the store
 * @param rebroadcastInterval  heads are re-announced (and failed fetches retried) this often; zero: never (tests call {@code rebroadcast()})
 * @param maxConcurrentFetches branch fetches running at once
 * @param maxPendingBlocks     most blocks waiting to be fetched; announcements beyond are dropped (they come again)
 * @param acceptUnsigned       accept deltas without a signature (from go-ds-crdt, say); signed ones are always verified if a verifier is set
 */
public record MerkleCrdtOptions(String namespace, String dagName, Duration flushDelay, int maxBatchKeys,
                                int maxPendingKeys, Duration rebroadcastInterval, int maxConcurrentFetches, int maxPendingBlocks,
                                boolean acceptUnsigned) {
    /** Bytes of a local block's delta, well below {@code DagPb.MAX_BLOCK_SIZE} (2 MiB): a larger flush is split. */
    public static final int MAX_BLOCK_BUDGET = 1 << 20;

    /** The options without {@code maxPendingKeys} (it is then 4 × {@code maxBatchKeys}). */
    public MerkleCrdtOptions(String namespace, String dagName, Duration flushDelay, int maxBatchKeys,
                             Duration rebroadcastInterval, int maxConcurrentFetches, int maxPendingBlocks, boolean acceptUnsigned) {
        this(namespace, dagName, flushDelay, maxBatchKeys, (int) Math.min(Integer.MAX_VALUE, 4L * maxBatchKeys),
                rebroadcastInterval, maxConcurrentFetches, maxPendingBlocks, acceptUnsigned);
    }

    public MerkleCrdtOptions {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(dagName, "dagName");
        if (namespace.indexOf('\0') >= 0 || dagName.indexOf('\0') >= 0) throw new IllegalArgumentException("NUL in namespace/dagName");
        if (flushDelay.isNegative() || rebroadcastInterval.isNegative()) throw new IllegalArgumentException("negative duration");
        if (maxPendingKeys < maxBatchKeys) throw new IllegalArgumentException("maxPendingKeys < maxBatchKeys");
        if (maxBatchKeys < 1 || maxConcurrentFetches < 1 || maxPendingBlocks < 1) throw new IllegalArgumentException("limits must be positive");
    }

    /** /CRDT, default DAG, 10 ms flush, 10,000 keys per delta, at most 40,000 keys pending, rebroadcast every 10 s, 8 fetches, 1,000,000 pending, unsigned accepted. */
    public static MerkleCrdtOptions defaults() {
        return new MerkleCrdtOptions("/CRDT", "", Duration.ofMillis(10), 10_000, 40_000, Duration.ofSeconds(10), 8, 1_000_000, true);
    }
}
