package io.warpstats.node.cli;

/** The operation could not be done (node unreachable, refused, failed); the CLI prints its message and exits 1. */
public final class OperationFailedException extends RuntimeException {
    public OperationFailedException(String message) {
        super(message);
    }

    public OperationFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
