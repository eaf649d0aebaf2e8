package io.warpstats.stats;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The CRDT keys the statistics use besides {@link SlotKey counter slots} (all without the engine's
 * {@code /CRDT} namespace):
 * <ul>
 *   <li>{@code /likers/{postId}/{userId}}, {@code /retweeters/{postId}/{userId}}: OR-sets of who acted
 *       (value: the action time, milliseconds since the epoch, big-endian uint64). A user acting from
 *       two nodes is one key, so one member.</li>
 *   <li>{@code /activity/{postId}}: the post's last activity time (big-endian uint64 milliseconds), a
 *       last-writer-wins register: the value of the highest-priority write wins, on equal priority the
 *       later time.</li>
 * </ul>
 */
public final class StatsKeys {
    private StatsKeys() {}

    public static String liker(String postId, String userId) {
        return "/likers/" + Ids.require("post id", postId) + "/" + Ids.require("user id", userId);
    }

    public static String likersPrefix(String postId) {
        return "/likers/" + Ids.require("post id", postId) + "/";
    }

    public static String retweeter(String postId, String userId) {
        return "/retweeters/" + Ids.require("post id", postId) + "/" + Ids.require("user id", userId);
    }

    public static String activity(String postId) {
        return "/activity/" + Ids.require("post id", postId);
    }

    /**
     * The rule for signed deltas: whether a delta signed by {@code authorNodeId} may write {@code key}.
     * A counter slot may be written only by the node it names; the OR-set members and the activity
     * register by any node; a key the statistics do not know by no one.
     */
    public static boolean mayWrite(@Nullable String authorNodeId, @Nullable String key) {
        Optional<SlotKey> slot = SlotKey.parse(key);
        if (slot.isPresent()) {
            return slot.get().nodeId().equals(authorNodeId);
        }
        if (key == null) {
            return false;
        }
        String[] parts = key.split("/", -1);
        if (parts.length == 4 && (parts[1].equals("likers") || parts[1].equals("retweeters"))) {
            return Ids.isValid(parts[2]) && Ids.isValid(parts[3]);
        }
        return parts.length == 3 && parts[1].equals("activity") && Ids.isValid(parts[2]);
    }
}
