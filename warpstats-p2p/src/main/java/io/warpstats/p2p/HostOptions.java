package io.warpstats.p2p;

import java.time.Duration;

/**
 * The limits and timeouts a {@link Host} enforces (see docs/p2p.md for the rationale of each).
 *
 * @param maxConnections           open connections (inbound and outbound, in upgrade or upgraded);
 *                                 an inbound connection beyond it is closed at accept, a dial fails
 * @param maxStreamsPerConnection  streams open at once on one connection; an inbound SYN beyond it
 *                                 is answered with RST, {@code newStream} beyond it fails
 * @param handshakeTimeout         TCP accept/connect → Yamux ready (multistream + Noise + multistream)
 * @param idleTimeout              a connection with no open stream for this long is closed
 *                                 ({@link Duration#ZERO} disables)
 * @param streamNegotiationTimeout an inbound or outbound stream must settle its protocol within it
 * @param dialTimeout              TCP connect
 * @param maxNegotiationAttempts   protocol proposals accepted on one stream before it is reset
 * @param maxMultistreamMessage    bytes of one multistream-select message (protocol id + newline)
 * @param streamReceiveWindow      Yamux receive window per stream (≥ 256 KiB); also the most an
 *                                 unread stream buffers
 * @param maxFrameSize             largest Yamux data frame this host sends (received frames are
 *                                 bounded by the receive window)
 * @param maxStreamWriteBuffer     bytes accepted by {@code Stream.write} but not yet sent (waiting for
 *                                 window) per stream; a write beyond it fails
 * @param connectionWriteHighWater bytes queued on a TCP socket before streams stop sending until it
 *                                 drains (to half of it)
 * @param maxIdentifyMessage       bytes of one identify message
 * @param agentVersion             announced by identify
 * @param ioThreads                network threads (Netty event loops) of the host
 * @param maxReceiveBuffer         bytes received but not yet read, summed over every stream of the
 *                                 host; a data frame that would exceed it resets its stream (the
 *                                 per-stream windows alone would allow streams × window per connection)
 */
public record HostOptions(int maxConnections, int maxStreamsPerConnection, Duration handshakeTimeout,
                          Duration idleTimeout, Duration streamNegotiationTimeout, Duration dialTimeout,
                          int maxNegotiationAttempts, int maxMultistreamMessage, int streamReceiveWindow,
                          int maxFrameSize, int maxStreamWriteBuffer, int connectionWriteHighWater,
                          int maxIdentifyMessage, String agentVersion, int ioThreads, long maxReceiveBuffer) {

    /** The Yamux spec's initial window, the smallest allowed receive window. */
    public static final int YAMUX_INITIAL_WINDOW = 256 * 1024;

    public HostOptions {
        if (maxConnections < 1 || maxStreamsPerConnection < 1 || maxNegotiationAttempts < 1 || ioThreads < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
        if (maxReceiveBuffer < 1) throw new IllegalArgumentException("maxReceiveBuffer must be positive");
        if (streamReceiveWindow < YAMUX_INITIAL_WINDOW) throw new IllegalArgumentException("streamReceiveWindow < 256 KiB");
        if (maxFrameSize < 1024 || maxMultistreamMessage < 64 || maxIdentifyMessage < 1024) {
            throw new IllegalArgumentException("size limit too small");
        }
        if (handshakeTimeout.isZero() || handshakeTimeout.isNegative() || idleTimeout.isNegative()
                || streamNegotiationTimeout.isNegative() || streamNegotiationTimeout.isZero() || dialTimeout.isZero()) {
            throw new IllegalArgumentException("invalid timeout");
        }
    }

    /**
     * The default largest Yamux data frame: 65,507 bytes, so that a frame with its 12-byte header is
     * 65,519 bytes, the most plaintext of one Noise message (65,535 with the tag). The Noise layer
     * never splits a write that fits one message, so the receiver decrypts whole frames, and Yamux
     * decodes them in place without gathering a frame from two messages.
     */
    public static final int FRAME_FITS_NOISE_MESSAGE = 65535 - 16 - 12;

    /** The defaults documented in docs/p2p.md. */
    public static HostOptions defaults() {
        return new HostOptions(512, 512, Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ofSeconds(10),
                Duration.ofSeconds(10), 16, 1024, YAMUX_INITIAL_WINDOW, FRAME_FITS_NOISE_MESSAGE, 1024 * 1024, 1024 * 1024,
                64 * 1024, "warpstats/0.1.0", 2, 256L * 1024 * 1024);
    }

    /** A copy with another {@code maxConnections}. */
    public HostOptions withMaxConnections(int v) {
        return toBuilder().maxConnections(v).build();
    }

    /** A copy with another {@code maxStreamsPerConnection}. */
    public HostOptions withMaxStreamsPerConnection(int v) {
        return toBuilder().maxStreamsPerConnection(v).build();
    }

    /** A copy with another {@code handshakeTimeout}. */
    public HostOptions withHandshakeTimeout(Duration v) {
        return toBuilder().handshakeTimeout(v).build();
    }

    /** A copy with another {@code idleTimeout}. */
    public HostOptions withIdleTimeout(Duration v) {
        return toBuilder().idleTimeout(v).build();
    }

    /** A copy with another {@code streamNegotiationTimeout}. */
    public HostOptions withStreamNegotiationTimeout(Duration v) {
        return toBuilder().streamNegotiationTimeout(v).build();
    }

    /** A copy with another {@code streamReceiveWindow}. */
    public HostOptions withStreamReceiveWindow(int v) {
        return toBuilder().streamReceiveWindow(v).build();
    }

    /** A copy with another {@code maxReceiveBuffer}. */
    public HostOptions withMaxReceiveBuffer(long v) {
        return toBuilder().maxReceiveBuffer(v).build();
    }

    /** A copy with another {@code ioThreads}. */
    public HostOptions withIoThreads(int v) {
        return toBuilder().ioThreads(v).build();
    }

    /** A builder that starts from these values. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Mutable, not thread-safe; {@link #build()} validates as the canonical constructor does. */
    public static final class Builder {
        private int maxConnections;
        private int maxStreamsPerConnection;
        private Duration handshakeTimeout;
        private Duration idleTimeout;
        private Duration streamNegotiationTimeout;
        private Duration dialTimeout;
        private int maxNegotiationAttempts;
        private int maxMultistreamMessage;
        private int streamReceiveWindow;
        private int maxFrameSize;
        private int maxStreamWriteBuffer;
        private int connectionWriteHighWater;
        private int maxIdentifyMessage;
        private String agentVersion;
        private int ioThreads;
        private long maxReceiveBuffer;

        private Builder(HostOptions from) {
            maxConnections = from.maxConnections;
            maxStreamsPerConnection = from.maxStreamsPerConnection;
            handshakeTimeout = from.handshakeTimeout;
            idleTimeout = from.idleTimeout;
            streamNegotiationTimeout = from.streamNegotiationTimeout;
            dialTimeout = from.dialTimeout;
            maxNegotiationAttempts = from.maxNegotiationAttempts;
            maxMultistreamMessage = from.maxMultistreamMessage;
            streamReceiveWindow = from.streamReceiveWindow;
            maxFrameSize = from.maxFrameSize;
            maxStreamWriteBuffer = from.maxStreamWriteBuffer;
            connectionWriteHighWater = from.connectionWriteHighWater;
            maxIdentifyMessage = from.maxIdentifyMessage;
            agentVersion = from.agentVersion;
            ioThreads = from.ioThreads;
            maxReceiveBuffer = from.maxReceiveBuffer;
        }

        public Builder maxConnections(int v) {
            maxConnections = v;
            return this;
        }

        public Builder maxStreamsPerConnection(int v) {
            maxStreamsPerConnection = v;
            return this;
        }

        public Builder handshakeTimeout(Duration v) {
            handshakeTimeout = v;
            return this;
        }

        public Builder idleTimeout(Duration v) {
            idleTimeout = v;
            return this;
        }

        public Builder streamNegotiationTimeout(Duration v) {
            streamNegotiationTimeout = v;
            return this;
        }

        public Builder dialTimeout(Duration v) {
            dialTimeout = v;
            return this;
        }

        public Builder maxNegotiationAttempts(int v) {
            maxNegotiationAttempts = v;
            return this;
        }

        public Builder maxMultistreamMessage(int v) {
            maxMultistreamMessage = v;
            return this;
        }

        public Builder streamReceiveWindow(int v) {
            streamReceiveWindow = v;
            return this;
        }

        public Builder maxFrameSize(int v) {
            maxFrameSize = v;
            return this;
        }

        public Builder maxStreamWriteBuffer(int v) {
            maxStreamWriteBuffer = v;
            return this;
        }

        public Builder connectionWriteHighWater(int v) {
            connectionWriteHighWater = v;
            return this;
        }

        public Builder maxIdentifyMessage(int v) {
            maxIdentifyMessage = v;
            return this;
        }

        public Builder agentVersion(String v) {
            agentVersion = v;
            return this;
        }

        public Builder ioThreads(int v) {
            ioThreads = v;
            return this;
        }

        public Builder maxReceiveBuffer(long v) {
            maxReceiveBuffer = v;
            return this;
        }

        public HostOptions build() {
            return new HostOptions(maxConnections, maxStreamsPerConnection, handshakeTimeout, idleTimeout,
                    streamNegotiationTimeout, dialTimeout, maxNegotiationAttempts, maxMultistreamMessage,
                    streamReceiveWindow, maxFrameSize, maxStreamWriteBuffer, connectionWriteHighWater,
                    maxIdentifyMessage, agentVersion, ioThreads, maxReceiveBuffer);
        }
    }
}
