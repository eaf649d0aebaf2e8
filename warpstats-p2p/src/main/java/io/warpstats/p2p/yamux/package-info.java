/**
 * Yamux stream multiplexing: {@link io.warpstats.p2p.yamux.YamuxHeader} (codec),
 * {@link io.warpstats.p2p.yamux.YamuxSession} (one per connection, a Netty handler) and
 * {@link io.warpstats.p2p.yamux.YamuxStream}.
 * Invariants: all state is confined to the connection's event loop (public methods hop onto it);
 * a stream never buffers more than its receive window plus the one message its reader has asked
 * for; a data frame larger than the window it was granted is a protocol error (GoAway, close);
 * a stream sends no more than the remote's window, and stops when the socket is not writable;
 * the dialer uses odd stream ids, the listener even ones; the number of streams is bounded.
 *
 * <p>Null is accepted or returned only where a type says {@code @Nullable} (the package is {@code @NullMarked}).
 */
@NullMarked
package io.warpstats.p2p.yamux;

import org.jspecify.annotations.NullMarked;
