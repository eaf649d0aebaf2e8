package io.warpstats.stats;

import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A counter slot of the CRDT: {@code /incr|decr/{stat}/{postId}/{nodeId}/{incarnation}} (without the
 * engine's {@code /CRDT} namespace). Its value is the running total that node {@code nodeId} counted in
 * that store life ({@code incarnation}), an unsigned 64-bit big-endian integer. Only {@code nodeId}
 * writes its slots, so the winning value of a slot is that node's latest total.
 *
 * @param increment {@code true} for the {@code incr} family, {@code false} for {@code decr}
 */
public record SlotKey(boolean increment, Stat stat, String postId, String nodeId, String incarnation) {

    public SlotKey {
        Objects.requireNonNull(stat, "stat");
        Ids.require("post id", postId);
        Ids.require("node id", nodeId);
        Ids.require("incarnation", incarnation);
        if (!increment && !stat.decrementable()) {
            throw new IllegalArgumentException(stat.key() + " have no decr slots");
        }
    }

    /** The CRDT key. */
    public String key() {
        return "/" + (increment ? "incr" : "decr") + "/" + stat.key() + "/" + postId + "/" + nodeId + "/" + incarnation;
    }

    @Override
    public String toString() {
        return key();
    }

    /** The slot named by {@code key}, or empty if {@code key} is not a well-formed slot key. */
    public static Optional<SlotKey> parse(@Nullable String key) {
        if (key == null || !(key.startsWith("/incr/") || key.startsWith("/decr/"))) {
            return Optional.empty();
        }
        String[] parts = key.split("/", -1);
        if (parts.length != 6) {
            return Optional.empty();
        }
        Optional<Stat> stat = Stat.fromKey(parts[2]);
        if (stat.isEmpty() || !Ids.isValid(parts[3]) || !Ids.isValid(parts[4]) || !Ids.isValid(parts[5])) {
            return Optional.empty();
        }
        boolean incr = parts[1].equals("incr");
        if (!incr && !stat.get().decrementable()) {
            return Optional.empty();
        }
        return Optional.of(new SlotKey(incr, stat.get(), parts[3], parts[4], parts[5]));
    }
}
