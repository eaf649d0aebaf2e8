package io.warpstats.stats;

import io.warpstats.crdt.MaterializedView;
import io.warpstats.crdt.MerkleCrdt;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;

/**
 * The repository of post statistics: records who did what in the local database and keeps this
 * node's counter slots, the likers/retweeters OR-sets and the activity register of the CRDT in step
 * with it.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>A write ({@link #submit}, or a blocking method such as {@link #like}) completes only after the
 *       action is durable in the local database: an atomic, synced write holding the action, the new
 *       local totals and its event record, which names the CRDT keys it changes. Writes submitted together share one
 *       synced batch (group commit); each is all or nothing, and a refused one leaves nothing. It
 *       succeeds whether or not a CRDT is attached.</li>
 *   <li>Mirror: a durable watermark says up to which write everything is in the CRDT; the keys of the
 *       writes above it are put into the CRDT again from their event records after a crash, a CRDT
 *       failure or a detach (through the durable outbox, which also holds the writes made while no CRDT
 *       is usable until one has flushed them). The value put is recomputed from the local database (a
 *       slot's running total, whether a member is present), so a replay is idempotent: nothing is lost,
 *       nothing counted twice. This node's view slot and activity time of a post are put at most once per
 *       {@linkplain StatsServiceBuilder#registerDelay register delay} (other nodes see them that much later;
 *       this node's reads count them at once); set members are put with their write.</li>
 *   <li>Migration: the first time a CRDT store is attached for this incarnation, every total already in
 *       the local database is put into this node's slots (idempotent, so exactly once in effect).</li>
 *   <li>Reads are O(1) in the number of nodes: they read the aggregates that {@link #changeListener()}
 *       materializes inside the engine's atomic writes. Without a usable CRDT they fall back to the
 *       local totals and say {@link Source#LOCAL}.</li>
 *   <li>Every id is validated ({@link Ids}); a bad one raises {@link InvalidIdException} before
 *       anything is written.</li>
 * </ul>
 * Thread-safe. Writes are serialized (one writer thread applies them in the order they were queued);
 * reads are concurrent.
 */
public interface StatsService extends AutoCloseable {

    /**
     * Queues {@code action} for the next group commit and returns at once. The future completes normally
     * once the action is durable in the local database (and mirrored into the CRDT when one is usable), or
     * exceptionally with a {@link StatsException}: {@link StatsException.Problem#ALREADY_DONE} or
     * {@link StatsException.Problem#NOT_DONE} as the blocking methods below say,
     * {@link StatsException.Problem#BUSY} when too many writes wait already (nothing queued),
     * {@link StatsException.Problem#STORAGE} when the local database failed or the service is closed
     * (nothing written). It completes on the writer thread: run further work in an {@code …Async} stage.
     */
    CompletableFuture<Void> submit(Action action);

    /** Records that {@code userId} likes {@code postId}; {@link StatsException.Problem#ALREADY_DONE} if it already does. */
    default void like(String postId, String userId) {
        await(submit(new Action.Like(postId, userId)));
    }

    /** Withdraws a like; {@link StatsException.Problem#NOT_DONE} if {@code userId} does not like {@code postId} (on this node). */
    default void unlike(String postId, String userId) {
        await(submit(new Action.Unlike(postId, userId)));
    }

    /** Records a retweet; {@link StatsException.Problem#ALREADY_DONE} if already retweeted. */
    default void retweet(String postId, String userId) {
        await(submit(new Action.Retweet(postId, userId)));
    }

    /** Withdraws a retweet; {@link StatsException.Problem#NOT_DONE} without one. */
    default void unretweet(String postId, String userId) {
        await(submit(new Action.Unretweet(postId, userId)));
    }

    /** Records reply {@code replyId} by {@code userId}; {@link StatsException.Problem#ALREADY_DONE} if the reply id is taken. */
    default void reply(String postId, String userId, String replyId) {
        await(submit(new Action.Reply(postId, userId, replyId)));
    }

    /** Deletes a reply made through this node; {@link StatsException.Problem#NOT_DONE} if unknown. */
    default void deleteReply(String postId, String replyId) {
        await(submit(new Action.DeleteReply(postId, replyId)));
    }

    /** Records a view; {@code userId} may be {@code null} (anonymous). */
    default void view(String postId, @Nullable String userId) {
        await(submit(new Action.View(postId, userId)));
    }

    /** Waits for a write's future; its {@link StatsException} (or other unchecked failure) is rethrown as is. */
    private static void await(CompletableFuture<Void> write) {
        try {
            write.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    /**
     * Imports legacy totals the way live actions are kept (the rule is on {@link LegacyTotals}: per post and
     * stat, only what exceeds the highest total imported before is added; views go to this node's own slot,
     * likes, retweets and replies become {@code @legacy:n} members of the post's sets). All or nothing: one
     * synced local write holds the new totals, the members, the import marks and the outbox entries, so a
     * crash leaves either none or all of this call applied, and a repeated call adds nothing.
     *
     * @param totals at most {@link LegacyTotals#MAX_BATCH} entries; a post given twice counts with its larger totals
     * @throws StatsException {@link StatsException.Problem#INVALID_ARGUMENT} for too many entries, or more than
     *                        {@link LegacyTotals#MAX_NEW_MEMBERS} new likes, retweets and replies (nothing written)
     */
    LegacyTotals.Outcome importTotals(java.util.Collection<LegacyTotals> totals);

    /** The post's statistics; {@link StatsException.Problem#UNKNOWN_POST} if nothing is known of it. */
    PostStats stats(String postId);

    /**
     * Who likes the post across every node (the {@code /likers} OR-set; with {@link Source#LOCAL}, the
     * likes recorded on this node), in user id order.
     *
     * @param cursor {@code null} for the first page
     * @param limit  1 to {@link #MAX_PAGE}
     */
    Page<String> likers(String postId, @Nullable String cursor, int limit);

    /** The posts {@code userId} liked on this node, newest first; {@code cursor} as for {@link #likers}. */
    Page<LikedPost> likedBy(String userId, @Nullable String cursor, int limit);

    /** Up to {@code n} of the busiest posts this node has seen recently, busiest first. */
    List<PostStats> busiest(int n);

    /** Where reads come from right now. */
    Source source();

    /** This node's id, as in its slot keys. */
    String nodeId();

    /** This store life's incarnation, as in this node's slot keys. */
    String incarnation();

    /** The local database's bytes on disk (live SST files plus write-ahead log). */
    long localDatabaseSizeBytes();

    /** What is not yet known to be in the CRDT: CRDT keys in the outbox plus writes above the mirror's watermark. */
    long outboxSize();

    /**
     * The materialized view of the aggregates. Register it on the engine's builder
     * ({@code MerkleCrdtBuilder.view}) before the engine opens: opening already resumes interrupted
     * walks, and the view must see every merge.
     */
    MaterializedView view();

    /**
     * Starts writing to {@code crdt}, which must have been built with {@link #view()} registered
     * (otherwise {@link IllegalArgumentException}): runs the migration if due, replays the outbox, then mirrors every
     * write. Reads say {@link Source#CRDT} from now on, until the CRDT fails or {@link #detach} is called.
     */
    void attach(MerkleCrdt crdt);

    /** Stops using the CRDT (before the node closes it): writes go to the outbox only, reads are local. */
    void detach();

    /** Detaches, flushes what it can and closes the local database. */
    @Override
    void close();

    /** The largest page size. */
    int MAX_PAGE = 1000;

    /** A builder. */
    static StatsServiceBuilder builder() {
        return new StatsServiceBuilder();
    }
}
