package io.warpstats.crdt;

import java.time.Duration;
import java.util.Objects;

/**
 * Tunables of a replica; {@link #defaults()} gives the production values.
 *
 * @param namespace            store key prefix of this replica's state (default {@code /CRDT}); wire keys never carry it
 * @param dagName              the DAG this replica writes to ({@code ""}: go-ds-crdt's default DAG)
 * @param flushDelay           the pending delta is flushed this long after its first change; zero: only on size or {@code flush()}
 * @param maxBatchKeys         the pending delta is flushed as soon as it holds this many distinct keys
 * @param rebroadcastInterval  heads are re-announced (and failed fetches retried) this often; zero: never (tests call {@code rebroadcast()})
 * @param maxConcurrentFetches branch fetches running at once
 * @param maxPendingBlocks     most blocks waiting to be fetched; announcements beyond are dropped (they come again)
 * @param acceptUnsigned       accept deltas without a signature (from go-ds-crdt, say); signed ones are always verified if a verifier is set
 */
public record MerkleCrdtOptions(String namespace, String dagName, Duration flushDelay, int maxBatchKeys,
                                Duration rebroadcastInterval, int maxConcurrentFetches, int maxPendingBlocks,
                                boolean acceptUnsigned) {
    public MerkleCrdtOptions {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(dagName, "dagName");
        if (namespace.indexOf('\0') >= 0 || dagName.indexOf('\0') >= 0) throw new IllegalArgumentException("NUL in namespace/dagName");
        if (flushDelay.isNegative() || rebroadcastInterval.isNegative()) throw new IllegalArgumentException("negative duration");
        if (maxBatchKeys < 1 || maxConcurrentFetches < 1 || maxPendingBlocks < 1) throw new IllegalArgumentException("limits must be positive");
    }

    /** /CRDT, default DAG, 10 ms flush, 10,000 keys per delta, rebroadcast every 10 s, 8 fetches, 1,000,000 pending, unsigned accepted. */
    public static MerkleCrdtOptions defaults() {
        return new MerkleCrdtOptions("/CRDT", "", Duration.ofMillis(10), 10_000, Duration.ofSeconds(10), 8, 1_000_000, true);
    }
}
