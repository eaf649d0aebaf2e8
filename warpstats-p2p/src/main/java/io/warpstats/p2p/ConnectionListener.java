package io.warpstats.p2p;

/** Connection events of a {@link Host}; called on a network thread, must not block. */
public interface ConnectionListener {
    /** A connection finished its upgrade and passed the gate. */
    default void connected(Connection connection) {}

    /** Identify answered (or a push updated the info) on {@code connection}. */
    default void identified(Connection connection, IdentifyInfo info) {}

    /** A connection closed, for any reason. */
    default void disconnected(Connection connection) {}
}
