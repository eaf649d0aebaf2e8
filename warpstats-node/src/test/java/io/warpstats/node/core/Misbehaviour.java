package io.warpstats.node.core;

import java.util.Locale;

/** One misbehaviour of a {@link HostileNode}, added at the edge of the real stack. */
sealed interface Misbehaviour permits Forger, CorruptServer, Replayer, DeepChain, Flooder {

    /** The misbehaviour named by {@code --mode}. */
    static Misbehaviour of(String mode) {
        return switch (mode.toLowerCase(Locale.ROOT)) {
            case "forge" -> new Forger();
            case "corrupt" -> new CorruptServer();
            case "replay" -> new Replayer();
            case "deep" -> new DeepChain();
            case "flood" -> new Flooder();
            default -> throw new IllegalArgumentException("unknown mode " + mode);
        };
    }

    /** Runs before any peer is dialed: installs what sits at the edge (a sync server, a capture), builds what it will send. */
    default void prepare(HostileNode.Stack s) throws Exception {}

    /** The misbehaviour itself, after {@code go}; prints {@code done …} at its end. */
    void run(HostileNode.Stack s) throws Exception;
}
