/**
 * The p2p benchmark ({@link io.warpstats.bench.p2p.P2pBench}): echo throughput and connection-setup
 * rate, Java↔Java against JS↔JS, printed as one table.
 *
 * <p>Null is accepted or returned only where a type says {@code @Nullable} (the package is {@code @NullMarked}).
 */
@NullMarked
package io.warpstats.bench.p2p;

import org.jspecify.annotations.NullMarked;
