/**
 * The cluster benchmark of issue 4: N replicas on loopback, time from a put on one node to its
 * visibility on all others (HdrHistogram), bytes on the wire per put, and catch-up of a node
 * that missed a burst. Figures and method: {@code docs/benchmarks.md}.
 *
 * <p>Null is accepted or returned only where a type says {@code @Nullable} (the package is {@code @NullMarked}).
 */
@NullMarked
package io.warpstats.bench.cluster;

import org.jspecify.annotations.NullMarked;
