package io.warpstats.stats;

import io.warpstats.crdt.MaterializedView;
import io.warpstats.crdt.MerkleCrdt;
import io.warpstats.crdt.ViewRows;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The statistics' materialized view, registered on the engine ({@code MerkleCrdtBuilder.view}) and kept
 * inside the engine's atomic writes, so a read is one row whatever the number of nodes or members. Its
 * rows, under the store prefix {@value #NAME}:
 * <ul>
 *   <li>{@code members/{stat}/{postId}}: the number of live members of the post's likers, retweeters or
 *       replies set (big-endian int64): a member key that becomes visible adds one, one that disappears
 *       subtracts one, a member whose value changes (a like again, elsewhere) changes nothing;</li>
 *   <li>{@code agg/{stat}/{postId}}: four big-endian int64 over the counter slots: Σincr, Σdecr over every
 *       slot, and this node's own incr and decr slot values (this incarnation) as merged. Views are
 *       counted here; likes, retweets and replies slots of stores written before the sets counted are
 *       still summed but not read;</li>
 *   <li>{@code activity/{postId}}: the largest {@link Hlc} seen for the post (12 bytes ‖ node id);</li>
 *   <li>{@code imported/{incarnation}}: the marker of the one-time migration of the local database into
 *       this incarnation's CRDT keys (written by {@link CrdtMirror}, never by {@link #onChange}).</li>
 * </ul>
 * Version {@value #VERSION}: a store with rows of an earlier version is rebuilt from its visible state
 * when the replica opens (the upgrade of stores written before the sets were counted).
 *
 * <p>Concurrency: {@link #onChange} runs on the engine's single writer; the reads on any thread.
 */
final class Aggregates implements MaterializedView {
    static final String NAME = "/stats/";
    static final int VERSION = 2;
    static final String AGG = "agg/";
    static final String MEMBERS = "members/";
    static final String ACTIVITY = "activity/";
    static final String IMPORTED = "imported/";
    private final String nodeId;
    private final String incarnation;
    private final HotPosts hot;
    private final PendingMembers pending;
    private final HybridClock clock;

    Aggregates(String nodeId, String incarnation, HotPosts hot, PendingMembers pending, HybridClock clock) {
        this.nodeId = nodeId;
        this.incarnation = incarnation;
        this.hot = hot;
        this.pending = pending;
        this.clock = clock;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Every statistics key starts with {@code /}; the key kinds are told apart in {@link #onChange}. */
    @Override
    public String watchedPrefix() {
        return "/";
    }

    @Override
    public int version() {
        return VERSION;
    }

    static String aggRow(Stat stat, String postId) {
        return AGG + stat.key() + "/" + postId;
    }

    static String membersRow(Stat stat, String postId) {
        return MEMBERS + stat.key() + "/" + postId;
    }

    @Override
    public void onChange(String key, byte @Nullable [] oldValue, byte @Nullable [] newValue, ViewRows rows) {
        Optional<StatsKeys.Member> member = StatsKeys.parseMember(key);
        if (member.isPresent()) {
            onMember(key, member.get(), oldValue != null, newValue != null, rows);
            return;
        }
        Optional<SlotKey> slot = SlotKey.parse(key);
        if (slot.isPresent()) {
            onSlot(slot.get(), oldValue, newValue, rows);
            return;
        }
        String[] p = key.split("/", -1);
        if ((p.length == 3 || p.length == 4) && p[1].equals("activity") && Ids.isValid(p[2]) && newValue != null) {
            onActivity(p[2], Hlc.decode(newValue, p.length == 4 ? p[3] : ""), rows);
        }
    }

    private void onMember(String key, StatsKeys.Member m, boolean was, boolean is, ViewRows rows) {
        // reads of the post wait while this write is in flight; this node's pending writes learn the
        // committed state only once it is durable, together with the row
        pending.changing(m.stat(), m.postId());
        rows.afterCommit(() -> pending.applied(m.stat(), m.postId(), key));
        if (was == is) return;
        String row = membersRow(m.stat(), m.postId());
        long n = rows.get(row).map(Bytes::u64).orElse(0L) + (is ? 1 : -1);
        rows.put(row, Bytes.u64(Math.max(0, n)));
        hot.touch(m.postId());
    }

    private void onSlot(SlotKey slot, byte @Nullable [] oldValue, byte @Nullable [] newValue, ViewRows rows) {
        long delta = Bytes.slotValue(newValue) - Bytes.slotValue(oldValue);
        if (delta == 0) return;
        String row = aggRow(slot.stat(), slot.postId());
        // through the rows of this write, not the store: one write holds several blocks, and the
        // earlier changes of the same write are not in the store yet
        long[] agg = Bytes.longs(rows.get(row).orElse(null), 4);
        int i = slot.increment() ? 0 : 1;
        agg[i] += delta;
        if (slot.nodeId().equals(nodeId) && slot.incarnation().equals(incarnation)) {
            agg[i + 2] += delta;
        }
        rows.put(row, Bytes.longs(agg));
        hot.touch(slot.postId());
    }

    private void onActivity(String postId, Hlc seen, ViewRows rows) {
        if (seen.equals(Hlc.ZERO)) return;
        clock.observe(seen);
        String row = ACTIVITY + postId;
        Hlc best = decodeActivity(rows.get(row).orElse(null));
        if (seen.compareTo(best) > 0) rows.put(row, encodeActivity(seen));
    }

    static byte[] encodeActivity(Hlc t) {
        byte[] id = t.nodeId().getBytes(StandardCharsets.UTF_8);
        byte[] out = Arrays.copyOf(t.encode(), Hlc.BYTES + id.length);
        System.arraycopy(id, 0, out, Hlc.BYTES, id.length);
        return out;
    }

    static Hlc decodeActivity(byte @Nullable [] row) {
        if (row == null || row.length < Hlc.BYTES) return Hlc.ZERO;
        return Hlc.decode(Arrays.copyOf(row, Hlc.BYTES), new String(row, Hlc.BYTES, row.length - Hlc.BYTES, StandardCharsets.UTF_8));
    }

    /** {Σincr, Σdecr, own incr, own decr}, or {@code null} if no slot of the post was ever merged. */
    long @Nullable [] slots(MerkleCrdt crdt, Stat stat, String postId) {
        byte[] v = crdt.view(this).get(aggRow(stat, postId)).orElse(null);
        return v == null ? null : Bytes.longs(v, 4);
    }

    /** The committed number of live members of the post's {@code stat} set, or -1 if none was ever seen. */
    long members(MerkleCrdt crdt, Stat stat, String postId) {
        return crdt.view(this).get(membersRow(stat, postId)).map(Bytes::u64).orElse(-1L);
    }

    /** The post's latest activity timestamp as merged, or {@link Hlc#ZERO}. */
    Hlc activity(MerkleCrdt crdt, String postId) {
        return decodeActivity(crdt.view(this).get(ACTIVITY + postId).orElse(null));
    }
}
