package io.warpstats.p2p;

/**
 * Raw TCP bytes a host received and sent over all its connections since it was created (everything
 * on the socket: multistream, Noise handshake and framing, Yamux headers, payloads).
 *
 * @param bytesIn  bytes read from sockets
 * @param bytesOut bytes handed to sockets for writing
 */
public record Traffic(long bytesIn, long bytesOut) {}
