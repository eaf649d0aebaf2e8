package io.warpstats.node.cli;

/** Input from the user or a file that cannot be used; the CLI prints its message and exits 2. */
public final class BadInputException extends RuntimeException {
    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
