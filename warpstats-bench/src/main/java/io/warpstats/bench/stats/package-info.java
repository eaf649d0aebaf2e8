/** JMH benchmarks of the statistics layer: read cost against the number of slots per post.
 *
 * <p>Null is accepted or returned only where a type says {@code @Nullable} (the package is {@code @NullMarked}).
 */
@NullMarked
package io.warpstats.bench.stats;

import org.jspecify.annotations.NullMarked;
