/** JMH benchmarks of the Merkle-CRDT engine: the local write path and merging of remote blocks.
 *
 * <p>Null is accepted or returned only where a type says {@code @Nullable} (the package is {@code @NullMarked}).
 */
@NullMarked
package io.warpstats.bench.crdt;

import org.jspecify.annotations.NullMarked;
