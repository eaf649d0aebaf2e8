package io.warpstats.crdt;

/**
 * A snapshot of a replica's counters (monotonic since open unless said otherwise).
 *
 * @param puts            put and delete calls accepted
 * @param localBlocks     blocks written by this replica (flushes that had changes)
 * @param mergedBlocks    remote blocks merged
 * @param rejectedBlocks  remote blocks rejected (malformed, bad signature, unauthorized)
 * @param fetchFailures   fetches that failed (retried later)
 * @param pendingBlocks   blocks announced or linked but not yet processed (current value; the larger of the durable
 *                        walk frontier and the fetches queued, running or waiting for a retry: zero iff no walk is open)
 * @param fetchesInFlight branch fetches running (current value)
 * @param heads           heads of this replica's DAG (current value)
 */
public record CrdtMetrics(long puts, long localBlocks, long mergedBlocks, long rejectedBlocks, long fetchFailures,
                          int pendingBlocks, int fetchesInFlight, int heads) {}
