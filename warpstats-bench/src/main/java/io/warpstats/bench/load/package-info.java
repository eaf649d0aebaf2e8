/**
 * The HTTP load generator of issue 14 ({@link io.warpstats.bench.load.LoadGen}): keep-alive connections to
 * one node, a mix of likes, unlikes, views and stats reads on random posts and users for a fixed time,
 * latencies in HdrHistograms, acknowledged, failed and timed-out requests per operation. Command and figures:
 * {@code docs/benchmarks.md}.
 *
 * <p>Null is accepted or returned only where a type says {@code @Nullable} (the package is {@code @NullMarked}).
 */
@NullMarked
package io.warpstats.bench.load;

import org.jspecify.annotations.NullMarked;
