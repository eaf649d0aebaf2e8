/** JMH benchmarks of the Merkle-CRDT engine: the local write path and merging of remote blocks. */
package io.warpstats.bench.crdt;
