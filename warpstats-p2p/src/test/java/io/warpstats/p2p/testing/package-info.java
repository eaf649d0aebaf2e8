/**
 * Test fixtures of the transport, published in this module's test-jar for the modules above it:
 * {@link io.warpstats.p2p.testing.TestHosts} (hosts on 127.0.0.1, bounded waits),
 * {@link io.warpstats.p2p.testing.JsPeer} (the shared js-libp2p peer as a child process) and
 * {@link io.warpstats.p2p.testing.Processes} (ending child processes). Every wait
 * is bounded; a missing js peer skips the test (a JUnit assumption) instead of failing it.
 */
package io.warpstats.p2p.testing;
