/**
 * The p2p benchmark ({@link io.warpstats.bench.p2p.P2pBench}): echo throughput and connection-setup
 * rate, Java↔Java against JS↔JS, printed as one table.
 */
package io.warpstats.bench.p2p;
