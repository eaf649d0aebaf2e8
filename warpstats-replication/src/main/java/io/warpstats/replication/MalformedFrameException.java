package io.warpstats.replication;

/** A sync frame that does not parse or exceeds the limits of {@link SyncParams}. */
final class MalformedFrameException extends IllegalArgumentException {
    MalformedFrameException(String message) { super(message); }

    MalformedFrameException(String message, Throwable cause) { super(message, cause); }
}
