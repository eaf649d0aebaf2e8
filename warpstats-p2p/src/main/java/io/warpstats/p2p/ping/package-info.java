/**
 * Ping ({@code /ipfs/ping/1.0.0}): {@link io.warpstats.p2p.ping.Ping}. Invariant: the listener
 * holds at most one read and one write per stream at a time.
 */
package io.warpstats.p2p.ping;
