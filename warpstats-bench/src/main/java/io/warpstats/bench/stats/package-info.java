/** JMH benchmarks of the statistics layer: read cost against the number of slots per post. */
package io.warpstats.bench.stats;
