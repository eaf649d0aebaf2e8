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
 * @param fetchTimeout         deadline of one branch fetch: a fetch whose future has not completed by then is abandoned (its
 *                             slot freed, its block retried at the next rebroadcast; blocks it still delivers are merged), so a
 *                             fetcher that never completes cannot hold a fetch slot forever
 */
public record MerkleCrdtOptions(String namespace, String dagName, Duration flushDelay, int maxBatchKeys,
                                int maxPendingKeys, Duration rebroadcastInterval, int maxConcurrentFetches, int maxPendingBlocks,
                                boolean acceptUnsigned, Duration fetchTimeout) {
    /** The default {@code fetchTimeout}: above a sync client's own bounds for a deep branch (rounds × request timeout). */
    public static final Duration DEFAULT_FETCH_TIMEOUT = Duration.ofMinutes(2);

    /** The options with the default {@code fetchTimeout}. */
    public MerkleCrdtOptions(String namespace, String dagName, Duration flushDelay, int maxBatchKeys, int maxPendingKeys,
                             Duration rebroadcastInterval, int maxConcurrentFetches, int maxPendingBlocks, boolean acceptUnsigned) {
        this(namespace, dagName, flushDelay, maxBatchKeys, maxPendingKeys, rebroadcastInterval, maxConcurrentFetches,
                maxPendingBlocks, acceptUnsigned, DEFAULT_FETCH_TIMEOUT);
    }

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
        Objects.requireNonNull(fetchTimeout, "fetchTimeout");
        if (fetchTimeout.isZero() || fetchTimeout.isNegative()) throw new IllegalArgumentException("fetchTimeout must be positive");
        if (maxBatchKeys < 1 || maxConcurrentFetches < 1 || maxPendingBlocks < 1) throw new IllegalArgumentException("limits must be positive");
    }

    /** /CRDT, default DAG, 10 ms flush, 10,000 keys per delta, at most 40,000 keys pending, rebroadcast every 10 s, 8 fetches, 1,000,000 pending, unsigned accepted, fetch deadline 2 min. */
    public static MerkleCrdtOptions defaults() {
        return new MerkleCrdtOptions("/CRDT", "", Duration.ofMillis(10), 10_000, 40_000, Duration.ofSeconds(10), 8, 1_000_000, true);
    }
}
