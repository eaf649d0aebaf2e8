/**
 * The cluster benchmark of issue 4: N replicas on loopback, time from a put on one node to its
 * visibility on all others (HdrHistogram), bytes on the wire per put, and catch-up of a node
 * that missed a burst. Figures and method: {@code docs/benchmarks.md}.
 */
package io.warpstats.bench.cluster;
