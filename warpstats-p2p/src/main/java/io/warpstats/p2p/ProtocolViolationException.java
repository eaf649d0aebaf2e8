package io.warpstats.p2p;

import java.io.IOException;

/** The remote sent something malformed or beyond a limit; the stream or connection is ended. */
public final class ProtocolViolationException extends IOException {
    public ProtocolViolationException(String message) { super(message); }
}
