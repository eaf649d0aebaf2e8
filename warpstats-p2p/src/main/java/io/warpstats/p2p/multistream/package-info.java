/**
 * multistream-select 1.0: the message codec ({@link io.warpstats.p2p.multistream.Multistream}),
 * the connection-level handler ({@link io.warpstats.p2p.multistream.MultistreamHandler}) and the
 * per-stream negotiation ({@link io.warpstats.p2p.multistream.StreamNegotiation}).
 * Invariants: messages are bounded ({@code HostOptions.maxMultistreamMessage}), proposals per
 * stream are bounded ({@code maxNegotiationAttempts}), a listener accepts a new proposal after
 * {@code na}, and bytes that follow a settled negotiation belong to the selected protocol.
 *
 * <p>Null is accepted or returned only where a type says {@code @Nullable} (the package is {@code @NullMarked}).
 */
@NullMarked
package io.warpstats.p2p.multistream;

import org.jspecify.annotations.NullMarked;
