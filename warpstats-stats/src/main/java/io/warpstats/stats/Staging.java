package io.warpstats.stats;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The writes of one group commit as they are staged. A staged value (or deletion) shadows the local
 * database, so each write reads the writes staged before it in the same group; a staged set membership
 * shadows the CRDT the same way. A write stages into its own {@link #child()}, which joins the group only
 * when the write succeeds ({@link #join()}): a refused write leaves nothing behind. The root turns into one
 * batch ({@link #batch()}) in which every key is written once, with its last staged value.
 *
 * <p>Cost: every operation is O(1) (hash maps); a read goes through at most two levels before the database.
 * Not thread-safe: the writer thread owns it.
 */
final class Staging {
    private final LocalDb db;
    private final @Nullable Staging parent;
    private final Map<String, byte @Nullable []> values = new HashMap<>(); // null: deleted
    private final Map<String, Boolean> members = new HashMap<>(); // CRDT member key → present once written
    private final Map<String, Long> crdtKeys = new LinkedHashMap<>(); // CRDT key → seq of the last write of it
    private final List<String> touched = new ArrayList<>(); // one post id per write, in order
    private long seq;

    /** A root over {@code db} whose writes take sequence numbers after {@code seq}. */
    Staging(LocalDb db, long seq) {
        this(db, null, seq);
    }

    private Staging(LocalDb db, @Nullable Staging parent, long seq) {
        this.db = db;
        this.parent = parent;
        this.seq = seq;
    }

    /** A staging for one write on top of this one. */
    Staging child() {
        return new Staging(db, this, seq);
    }

    /** Moves everything staged here into the parent (the write succeeded). */
    void join() {
        if (parent == null) {
            throw new IllegalStateException("the root has no parent");
        }
        parent.values.putAll(values);
        parent.members.putAll(members);
        parent.crdtKeys.putAll(crdtKeys);
        parent.touched.addAll(touched);
        parent.seq = seq;
    }

    /** The value of {@code key} as staged, else as in the database; {@code null}: absent. */
    byte @Nullable [] get(String key) {
        for (Staging s = this; s != null; s = s.parent) {
            if (s.values.containsKey(key)) {
                return s.values.get(key);
            }
        }
        return db.get(key);
    }

    long getLong(String key) {
        return Bytes.u64(get(key));
    }

    Staging put(String key, byte[] value) {
        values.put(key, value);
        return this;
    }

    Staging putLong(String key, long value) {
        return put(key, Bytes.u64(value));
    }

    Staging delete(String key) {
        values.put(key, null);
        return this;
    }

    /** Whether CRDT member {@code crdtKey} is present after the writes staged so far; empty: none of them changed it. */
    Optional<Boolean> member(String crdtKey) {
        for (Staging s = this; s != null; s = s.parent) {
            Boolean b = s.members.get(crdtKey);
            if (b != null) {
                return Optional.of(b);
            }
        }
        return Optional.empty();
    }

    /** Records that this write makes CRDT member {@code crdtKey} present or absent. */
    void member(String crdtKey, boolean present) {
        members.put(crdtKey, present);
    }

    /** The sequence number of a new write. */
    long nextSeq() {
        return ++seq;
    }

    /** The last sequence number taken. */
    long seq() {
        return seq;
    }

    /** Write {@code s} changes CRDT key {@code crdtKey}: it is mirrored after the batch ({@link CrdtMirror#commit}). */
    void crdtKey(String crdtKey, long s) {
        crdtKeys.put(crdtKey, s);
    }

    /** The write was about {@code postId} (the busiest-posts tracker counts it once the batch is written). */
    void touched(String postId) {
        touched.add(postId);
    }

    /** The CRDT keys changed, each with the sequence number of its last write. */
    Map<String, Long> crdtKeys() {
        return crdtKeys;
    }

    /** The post of each write, in order. */
    List<String> touchedPosts() {
        return touched;
    }

    /** Whether nothing is staged. */
    boolean isEmpty() {
        return values.isEmpty();
    }

    /** One batch holding every staged key once, with its last staged value. */
    LocalDb.Batch batch() {
        LocalDb.Batch b = db.batch();
        for (Map.Entry<String, byte @Nullable []> e : values.entrySet()) {
            if (e.getValue() == null) {
                b.delete(e.getKey());
            } else {
                b.put(e.getKey(), e.getValue());
            }
        }
        return b;
    }
}
