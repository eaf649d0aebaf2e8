package io.warpstats.p2p;

import java.io.IOException;

/** The stream was reset (by either side) or its connection closed before it ended cleanly. */
public final class StreamResetException extends IOException {
    public StreamResetException(String message) { super(message); }
}
