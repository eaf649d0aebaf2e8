package io.warpstats.stats;

import java.util.List;

/**
 * A record of the event log {@code e/{hex16 seq}}: {@code {millis}\t{action}\t{postId}\t{userId}\t{extra}} in UTF-8,
 * one per write ({@code extra} is the reply id of {@code reply} and {@code deletereply}, else empty; {@code userId} is
 * empty for an anonymous view). Ids never hold a tab ({@link Ids}), so the fields split cleanly.
 *
 * <p>Besides being history, a record names the CRDT keys its write changed ({@link #crdtKeys}): the mirror puts
 * them again from a record above its watermark after a crash or a failure of the CRDT ({@link CrdtMirror}).
 */
final class EventRecord {
    private EventRecord() {}

    /** The record of one write. */
    static byte[] of(long millis, String action, String postId, String userId, String extra) {
        return Bytes.utf8(millis + "\t" + action + "\t" + postId + "\t" + userId + "\t" + extra);
    }

    /** The record of a legacy import (its CRDT keys go to the durable outbox in the same batch: none named here). */
    static byte[] ofImport(long millis, int posts) {
        return Bytes.utf8(millis + "\timport\t\t\t" + posts + " posts");
    }

    /**
     * The CRDT keys the write of {@code record} changed: its member (or, for a view, this node's increment slot of the
     * post in {@code incarnation}) and this node's activity key of the post. Empty for an import and for a record
     * this layout cannot read.
     */
    static List<String> crdtKeys(byte[] record, String nodeId, String incarnation) {
        String[] f = Bytes.str(record).split("\t", -1);
        if (f.length != 5 || !Ids.isValid(f[2])) {
            return List.of();
        }
        String post = f[2];
        String changed = switch (f[1]) {
            case "like", "unlike" -> Ids.isValid(f[3]) ? StatsKeys.liker(post, f[3]) : null;
            case "retweet", "unretweet" -> Ids.isValid(f[3]) ? StatsKeys.retweeter(post, f[3]) : null;
            case "reply", "deletereply" -> Ids.isValid(f[4]) ? StatsKeys.reply(post, f[4]) : null;
            case "view" -> new SlotKey(true, Stat.VIEWS, post, nodeId, incarnation).key();
            default -> null;
        };
        return changed == null ? List.of() : List.of(changed, StatsKeys.activity(post, nodeId));
    }
}
