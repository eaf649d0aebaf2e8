package io.warpstats.stats;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The CRDT keys the statistics use besides {@link SlotKey counter slots} (all without the engine's
 * {@code /CRDT} namespace):
 * <ul>
 *   <li>{@code /likers/{postId}/{userId}}, {@code /retweeters/{postId}/{userId}}: add-wins OR-sets of who
 *       likes or retweets (value: the action time, big-endian uint64 milliseconds). A post's likes and
 *       retweets are the number of live members: a user acting through two nodes is one key, so one
 *       member and one like.</li>
 *   <li>{@code /replies/{postId}/{replyId}}: the OR-set of live replies (value: time ‖ the author's user
 *       id). A post's replies are the number of live members.</li>
 *   <li>{@code /activity/{postId}/{nodeId}}: the latest {@link Hlc} timestamp of an action on the post
 *       through node {@code nodeId} (12 bytes); the post's last activity is the largest over all nodes.
 *       Legacy {@code /activity/{postId}} (8-byte milliseconds) is still read.</li>
 * </ul>
 * Views stay per-node counter slots ({@link SlotKey}).
 */
public final class StatsKeys {
    private StatsKeys() {}

    /** A member of one of the per-post sets: which set ({@link Stat#LIKES}, RETWEETS or REPLIES), the post, the member id. */
    record Member(Stat stat, String postId, String id) {}

    public static String liker(String postId, String userId) {
        return "/likers/" + Ids.require("post id", postId) + "/" + Ids.require("user id", userId);
    }

    public static String likersPrefix(String postId) {
        return "/likers/" + Ids.require("post id", postId) + "/";
    }

    public static String retweeter(String postId, String userId) {
        return "/retweeters/" + Ids.require("post id", postId) + "/" + Ids.require("user id", userId);
    }

    public static String reply(String postId, String replyId) {
        return "/replies/" + Ids.require("post id", postId) + "/" + Ids.require("reply id", replyId);
    }

    /** The member key of {@code stat}'s set (LIKES, RETWEETS or REPLIES). */
    static String member(Stat stat, String postId, String id) {
        return switch (stat) {
            case LIKES -> liker(postId, id);
            case RETWEETS -> retweeter(postId, id);
            case REPLIES -> reply(postId, id);
            case VIEWS -> throw new IllegalArgumentException("views are counted in slots, not a set");
        };
    }

    /** The set member named by {@code key}, if it is one. */
    static Optional<Member> parseMember(@Nullable String key) {
        if (key == null || !(key.startsWith("/likers/") || key.startsWith("/retweeters/") || key.startsWith("/replies/"))) {
            return Optional.empty(); // the view sees every key: no split for the counter slots on the merge path
        }
        String[] parts = key.split("/", -1);
        if (parts.length != 4 || !parts[0].isEmpty() || !Ids.isValid(parts[2]) || !Ids.isValid(parts[3])) return Optional.empty();
        Stat stat = switch (parts[1]) {
            case "likers" -> Stat.LIKES;
            case "retweeters" -> Stat.RETWEETS;
            case "replies" -> Stat.REPLIES;
            default -> null;
        };
        return stat == null ? Optional.empty() : Optional.of(new Member(stat, parts[2], parts[3]));
    }

    /** Node {@code nodeId}'s latest activity timestamp for the post. */
    public static String activity(String postId, String nodeId) {
        return "/activity/" + Ids.require("post id", postId) + "/" + Ids.require("node id", nodeId);
    }

    /** The legacy single activity register of a post (read, never written). */
    public static String activity(String postId) {
        return "/activity/" + Ids.require("post id", postId);
    }

    /**
     * The rule for signed deltas: whether a delta signed by {@code authorNodeId} may write {@code key}.
     * A counter slot and an activity timestamp may be written only by the node they name. Set members
     * (likers, retweeters, replies) may be written by any node: users act through any node, and a node
     * vouches for the users it serves (there are no per-user signatures; docs/decisions.md). A key the
     * statistics do not know, by no one.
     */
    public static boolean mayWrite(@Nullable String authorNodeId, @Nullable String key) {
        Optional<SlotKey> slot = SlotKey.parse(key);
        if (slot.isPresent()) {
            return slot.get().nodeId().equals(authorNodeId);
        }
        if (key == null) {
            return false;
        }
        if (parseMember(key).isPresent()) {
            return true;
        }
        String[] parts = key.split("/", -1);
        if (parts.length == 4 && parts[0].isEmpty() && parts[1].equals("activity")) {
            return Ids.isValid(parts[2]) && parts[3].equals(authorNodeId);
        }
        return parts.length == 3 && parts[0].isEmpty() && parts[1].equals("activity") && Ids.isValid(parts[2]);
    }
}
