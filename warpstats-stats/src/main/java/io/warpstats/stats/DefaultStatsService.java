package io.warpstats.stats;

import io.warpstats.crdt.MaterializedView;
import io.warpstats.crdt.MerkleCrdt;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The {@link StatsService}: local database first, then the CRDT through the {@link CrdtMirror}. Writes go
 * through the {@link WriteQueue}: its writer thread stages a group of actions ({@link Staging}), writes
 * them as one synced batch, mirrors them and completes their futures ({@link #commitGroup}).
 */
final class DefaultStatsService implements StatsService {
    private final LocalDb db;
    private final String nodeId;
    private final String incarnation;
    private final Clock clock;
    private final HotPosts hot = new HotPosts();
    private final PendingMembers pending = new PendingMembers();
    private final HybridClock hlc;
    private final Aggregates aggregates;
    private final CrdtMirror mirror;
    private final EventLogRetention eventLog;
    private final Object writeLock = new Object();
    private final WriteQueue writes;
    private long seq; // guarded by writeLock

    DefaultStatsService(LocalDb db, String nodeId, Clock clock, Duration flushInterval, Duration registerDelay,
                        EventLogPolicy eventLogPolicy) {
        this.db = db;
        this.nodeId = nodeId;
        this.clock = clock;
        this.incarnation = loadIncarnation(db);
        this.seq = db.getLong(LocalKeys.SEQ);
        this.hlc = new HybridClock(clock, nodeId);
        this.aggregates = new Aggregates(nodeId, incarnation, hot, pending, hlc);
        this.mirror = new CrdtMirror(db, aggregates, pending, nodeId, incarnation, writeLock, flushInterval.toMillis(), registerDelay);
        this.writes = new WriteQueue(this::commitGroup);
        this.eventLog = EventLogRetention.start(db, clock, eventLogPolicy);
    }

    private static String loadIncarnation(LocalDb db) {
        byte[] v = db.get(LocalKeys.INCARNATION);
        if (v != null) {
            return Bytes.str(v);
        }
        byte[] r = new byte[8];
        new SecureRandom().nextBytes(r);
        String inc = HexFormat.of().formatHex(r);
        db.write(db.batch().put(LocalKeys.INCARNATION, Bytes.utf8(inc)));
        return inc;
    }

    // ---- writes ----

    @Override
    public CompletableFuture<Void> submit(Action action) {
        return writes.submit(action);
    }

    /**
     * The writer thread's step: stages every action of the group (a refused one completes its future
     * exceptionally and stages nothing), writes what was staged as ONE synced batch, mirrors it into the
     * CRDT and then completes the futures of the staged actions. If the batch write fails, the
     * {@link WriteQueue} fails every future of the group: nothing of it was written.
     */
    private void commitGroup(List<WriteQueue.Queued> group) {
        List<WriteQueue.Queued> staged = new ArrayList<>(group.size());
        synchronized (writeLock) {
            Staging root = new Staging(db, seq);
            for (WriteQueue.Queued q : group) {
                Staging w = root.child();
                try {
                    stage(q.action(), w);
                } catch (StatsException e) {
                    q.done().completeExceptionally(e);
                    continue;
                }
                w.join();
                staged.add(q);
            }
            if (!root.isEmpty()) {
                mirror.commit(root, seq); // one synced batch, then into the CRDT with the values just written
                seq = root.seq();
                root.touchedPosts().forEach(hot::touch);
            }
        }
        staged.forEach(q -> q.done().complete(null));
    }

    private void stage(Action a, Staging w) {
        if (a instanceof Action.Like l) {
            toggleMember(w, Stat.LIKES, l.postId(), l.userId(), true);
        } else if (a instanceof Action.Unlike u) {
            toggleMember(w, Stat.LIKES, u.postId(), u.userId(), false);
        } else if (a instanceof Action.Retweet r) {
            toggleMember(w, Stat.RETWEETS, r.postId(), r.userId(), true);
        } else if (a instanceof Action.Unretweet u) {
            toggleMember(w, Stat.RETWEETS, u.postId(), u.userId(), false);
        } else if (a instanceof Action.Reply r) {
            reply(w, r.postId(), r.userId(), r.replyId());
        } else if (a instanceof Action.DeleteReply d) {
            deleteReply(w, d.postId(), d.replyId());
        } else if (a instanceof Action.View v) {
            String slot = java.util.Objects.requireNonNull(bumpLocal(w, Stat.VIEWS, v.postId(), true));
            commit(w, "view", v.postId(), v.userId() == null ? "" : v.userId(), "", slot);
        } else {
            throw new IllegalArgumentException("unknown action " + a);
        }
    }

    /**
     * Whether member {@code crdtKey} is present: as staged by an earlier write of the group, else in the
     * replicated set when the CRDT is usable (so a user's like taken by another node counts here once this
     * node has merged it), else in the local database.
     */
    private boolean present(Staging w, String crdtKey, String localKey) {
        Optional<Boolean> staged = w.member(crdtKey);
        if (staged.isPresent()) {
            return staged.get();
        }
        Optional<MerkleCrdt> crdt = mirror.usable();
        if (crdt.isPresent()) {
            try {
                return crdt.get().get(crdtKey).isPresent();
            } catch (RuntimeException e) {
                mirror.failed(e);
            }
        }
        return w.get(localKey) != null;
    }

    private void toggleMember(Staging w, Stat stat, String postId, String userId, boolean add) {
        boolean like = stat == Stat.LIKES;
        String memberKey = like ? LocalKeys.like(postId, userId) : LocalKeys.retweet(postId, userId);
        String crdtMember = StatsKeys.member(stat, postId, userId);
        String verb = like ? "liked" : "retweeted";
        boolean present = present(w, crdtMember, memberKey);
        if (add && present) {
            throw new StatsException(StatsException.Problem.ALREADY_DONE,
                    "user " + userId + " already " + verb + " post " + postId);
        }
        if (!add && !present) {
            throw new StatsException(StatsException.Problem.NOT_DONE,
                    "user " + userId + " has not " + verb + " post " + postId);
        }
        byte[] existing = w.get(memberKey);
        long now = clock.millis();
        if (add) {
            w.putLong(memberKey, now);
            if (like) {
                w.put(LocalKeys.userLike(userId, now, postId), new byte[0]);
            }
            bumpLocal(w, stat, postId, true);
        } else if (existing != null) { // a like taken by another node leaves this node's records alone
            w.delete(memberKey);
            if (like) {
                w.delete(LocalKeys.userLike(userId, Bytes.u64(existing), postId));
            }
            bumpLocal(w, stat, postId, false);
        }
        w.member(crdtMember, add);
        commit(w, (add ? "" : "un") + (like ? "like" : "retweet"), postId, userId, "", crdtMember);
    }

    private void reply(Staging w, String postId, String userId, String replyId) {
        String key = LocalKeys.reply(postId, replyId);
        String crdtKey = StatsKeys.reply(postId, replyId);
        if (present(w, crdtKey, key)) {
            throw new StatsException(StatsException.Problem.ALREADY_DONE,
                    "reply " + replyId + " to post " + postId + " already exists");
        }
        long now = clock.millis();
        byte[] user = Bytes.utf8(userId);
        byte[] v = new byte[8 + user.length];
        Bytes.putLong(v, 0, now);
        System.arraycopy(user, 0, v, 8, user.length);
        w.put(key, v);
        bumpLocal(w, Stat.REPLIES, postId, true);
        w.member(crdtKey, true);
        commit(w, "reply", postId, userId, replyId, crdtKey);
    }

    private void deleteReply(Staging w, String postId, String replyId) {
        String key = LocalKeys.reply(postId, replyId);
        String crdtKey = StatsKeys.reply(postId, replyId);
        if (!present(w, crdtKey, key)) {
            throw new StatsException(StatsException.Problem.NOT_DONE,
                    "post " + postId + " has no reply " + replyId);
        }
        byte[] v = w.get(key);
        String userId = v == null ? "" : Bytes.str(java.util.Arrays.copyOfRange(v, 8, v.length));
        if (v != null) { // a reply taken by another node leaves this node's records alone
            w.delete(key);
            bumpLocal(w, Stat.REPLIES, postId, false);
        }
        w.member(crdtKey, false);
        commit(w, "deletereply", postId, userId, replyId, crdtKey);
    }

    @Override
    public LegacyTotals.Outcome importTotals(java.util.Collection<LegacyTotals> totals) {
        List<LegacyTotals> posts = LegacyTotals.merged(totals);
        synchronized (writeLock) {
            long newMembers = 0;
            for (LegacyTotals t : posts) {
                for (Stat stat : List.of(Stat.LIKES, Stat.RETWEETS, Stat.REPLIES)) {
                    newMembers += Math.max(0, t.get(stat) - db.getLong(LegacyTotals.markKey(stat, t.postId())));
                }
            }
            if (newMembers > LegacyTotals.MAX_NEW_MEMBERS) {
                throw new StatsException(StatsException.Problem.INVALID_ARGUMENT, "this call would add " + newMembers
                        + " likes, retweets and replies; at most " + LegacyTotals.MAX_NEW_MEMBERS + " per call: import the totals in steps");
            }
            long s = seq + 1;
            long now = clock.millis();
            long[] added = new long[Stat.values().length];
            int changed = 0;
            List<String> keys = new ArrayList<>();
            LocalDb.Batch b = db.batch();
            for (LegacyTotals t : posts) {
                boolean postChanged = false;
                for (Stat stat : Stat.values()) {
                    String markKey = LegacyTotals.markKey(stat, t.postId());
                    long mark = db.getLong(markKey);
                    long delta = t.get(stat) - mark;
                    if (delta <= 0) {
                        continue;
                    }
                    String counter = LocalKeys.counter(stat, t.postId());
                    long[] local = Bytes.longs(db.get(counter), 2);
                    local[0] += delta;
                    b.put(counter, Bytes.longs(local)).putLong(markKey, t.get(stat));
                    if (stat == Stat.VIEWS) {
                        keys.add(new SlotKey(true, stat, t.postId(), nodeId, incarnation).key());
                    } else {
                        // members @legacy:{mark+1} … @legacy:{new} of the post's set: the same names on every node
                        for (long n = mark + 1; n <= t.get(stat); n++) {
                            String id = LegacyTotals.memberId(n);
                            b.put(switch (stat) {
                                case LIKES -> LocalKeys.like(t.postId(), id);
                                case RETWEETS -> LocalKeys.retweet(t.postId(), id);
                                default -> LocalKeys.reply(t.postId(), id);
                            }, stat == Stat.REPLIES ? LegacyTotals.replyValue(now) : Bytes.u64(now));
                            keys.add(StatsKeys.member(stat, t.postId(), id));
                        }
                    }
                    added[stat.ordinal()] += delta;
                    postChanged = true;
                }
                changed += postChanged ? 1 : 0;
            }
            if (!keys.isEmpty()) {
                for (String k : keys) {
                    b.putLong(LocalKeys.outbox(k), s); // too many keys for the watermark's replay: the durable outbox
                }
                b.putLong(LocalKeys.SEQ, s);
                b.put(LocalKeys.event(s), EventRecord.ofImport(now, changed));
                mirror.commitOutboxed(b, keys, seq, s);
                seq = s;
            }
            return new LegacyTotals.Outcome(posts.size(), changed, added[0], added[1], added[2], added[3]);
        }
    }

    /**
     * Adds one to this node's local incr (or decr) total of (stat, post) in {@code w}: the count that reads
     * fall back to without a CRDT. Returns the slot key that carries it for views (null for the others:
     * they are the sizes of their sets).
     */
    private @Nullable String bumpLocal(Staging w, Stat stat, String postId, boolean increment) {
        String key = LocalKeys.counter(stat, postId);
        long[] totals = Bytes.longs(w.get(key), 2);
        totals[increment ? 0 : 1]++;
        w.put(key, Bytes.longs(totals));
        return stat == Stat.VIEWS ? new SlotKey(increment, stat, postId, nodeId, incarnation).key() : null; // sets: no slot
    }

    /**
     * Stages the event, the activity timestamp (a new {@link Hlc} tick, kept if larger than the post's local
     * one) and the CRDT keys of one write in {@code w}.
     */
    private void commit(Staging w, String action, String postId, String userId, String extra, String crdtKey) {
        Hlc t = hlc.tick();
        long s = w.nextSeq();
        w.putLong(LocalKeys.SEQ, s);
        w.put(LocalKeys.event(s), EventRecord.of(t.wallMillis(), action, postId, userId, extra));
        Hlc local = Hlc.decode(w.get(LocalKeys.activity(postId)), nodeId);
        w.put(LocalKeys.activity(postId), Hlc.max(local, t).encode());
        w.crdtKey(crdtKey, s);
        w.crdtKey(StatsKeys.activity(postId, nodeId), s);
        w.touched(postId);
    }

    // ---- reads ----

    @Override
    public PostStats stats(String postId) {
        Ids.require("post id", postId);
        Optional<MerkleCrdt> crdt = mirror.usable();
        if (crdt.isPresent()) {
            try {
                return read(postId, crdt.get());
            } catch (StatsException e) {
                throw e;
            } catch (RuntimeException e) {
                mirror.failed(e);
            }
        }
        return read(postId, null);
    }

    private PostStats read(String postId, @Nullable MerkleCrdt crdt) {
        long[] v = new long[Stat.values().length];
        boolean known = false;
        for (Stat stat : Stat.values()) {
            if (crdt != null && stat != Stat.VIEWS) {
                // the number of live members of the replicated set, plus this node's writes not yet flushed
                long[] members = {-1};
                v[stat.ordinal()] = pending.count(stat, postId, crdt, () -> members[0] = aggregates.members(crdt, stat, postId));
                // the local counter only tells whether the post is known: not read when that is settled already
                known = known || members[0] >= 0 || pending.any(stat, postId) || db.get(LocalKeys.counter(stat, postId)) != null;
                continue;
            }
            byte[] localBytes = db.get(LocalKeys.counter(stat, postId));
            long[] local = Bytes.longs(localBytes, 2);
            known |= localBytes != null;
            long incr = local[0];
            long decr = local[1];
            if (crdt != null) {
                long[] agg = aggregates.slots(crdt, stat, postId);
                if (agg != null) {
                    known = true;
                    // every other slot as merged, plus this node's latest totals (which may not be flushed yet)
                    incr += agg[0] - agg[2];
                    decr += agg[1] - agg[3];
                }
            }
            v[stat.ordinal()] = stat.decrementable() ? Math.max(0, incr - decr) : Math.max(0, incr);
        }
        Hlc activity = Hlc.decode(db.get(LocalKeys.activity(postId)), nodeId);
        if (crdt != null) {
            activity = Hlc.max(activity, aggregates.activity(crdt, postId));
        }
        known |= !activity.equals(Hlc.ZERO);
        if (!known) {
            throw new StatsException(StatsException.Problem.UNKNOWN_POST, "nothing is known of post " + postId);
        }
        return new PostStats(postId, v[0], v[1], v[2], v[3],
                activity.equals(Hlc.ZERO) ? null : Instant.ofEpochMilli(activity.wallMillis()),
                crdt != null ? Source.CRDT : Source.LOCAL);
    }

    @Override
    public Page<String> likers(String postId, @Nullable String cursor, int limit) {
        Ids.require("post id", postId);
        checkLimit(limit);
        String after = cursor == null ? null : Cursors.decodeId(cursor);
        stats(postId); // unknown post: 404
        Optional<MerkleCrdt> crdt = mirror.usable();
        List<String> users = new ArrayList<>();
        Source source = Source.LOCAL;
        if (crdt.isPresent()) {
            try {
                String prefix = StatsKeys.likersPrefix(postId);
                crdt.get().query(prefix, after, limit + 1, (k, v) -> users.add(k.substring(prefix.length())));
                source = Source.CRDT;
            } catch (RuntimeException e) {
                mirror.failed(e);
                users.clear();
            }
        }
        if (source == Source.LOCAL) {
            String prefix = LocalKeys.LIKES + postId + "/";
            db.scan(prefix, after, (k, v) -> {
                users.add(k.substring(prefix.length()));
                return users.size() <= limit;
            });
        }
        users.sort(Comparator.naturalOrder());
        return page(users, limit, Cursors::encode, source);
    }

    @Override
    public Page<LikedPost> likedBy(String userId, @Nullable String cursor, int limit) {
        Ids.require("user id", userId);
        checkLimit(limit);
        String after = cursor == null ? null : Cursors.decodeLikedBy(cursor);
        String prefix = LocalKeys.USER_LIKES + userId + "/";
        List<String> rest = new ArrayList<>();
        db.scan(prefix, after, (k, v) -> {
            rest.add(k.substring(prefix.length()));
            return rest.size() <= limit;
        });
        List<LikedPost> items = new ArrayList<>();
        for (int i = 0; i < Math.min(limit, rest.size()); i++) {
            String r = rest.get(i);
            long inverted = Long.parseUnsignedLong(r.substring(0, 16), 16);
            items.add(new LikedPost(r.substring(17), Instant.ofEpochMilli(Long.MAX_VALUE - inverted)));
        }
        String next = rest.size() > limit ? Cursors.encode(rest.get(limit - 1)) : null;
        return new Page<>(items, next, Source.LOCAL);
    }

    private static Page<String> page(List<String> found, int limit, java.util.function.Function<String, String> enc,
                                         Source source) {
        if (found.size() > limit) {
            return new Page<>(found.subList(0, limit), enc.apply(found.get(limit - 1)), source);
        }
        return new Page<>(found, null, source);
    }

    private static void checkLimit(int limit) {
        if (limit < 1 || limit > MAX_PAGE) {
            throw new StatsException(StatsException.Problem.INVALID_ARGUMENT,
                    "limit must be between 1 and " + MAX_PAGE + ", not " + limit);
        }
    }

    @Override
    public List<PostStats> busiest(int n) {
        List<PostStats> out = new ArrayList<>();
        for (String postId : hot.top(Math.min(Math.max(n, 0), 4 * n + 16))) {
            try {
                out.add(stats(postId));
            } catch (StatsException e) {
                // forgotten since: skip
            }
        }
        out.sort(Comparator.comparingLong(PostStats::activity).reversed().thenComparing(PostStats::postId));
        return out.size() > n ? out.subList(0, n) : out;
    }

    @Override
    public Source source() {
        return mirror.usable().isPresent() ? Source.CRDT : Source.LOCAL;
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public String incarnation() {
        return incarnation;
    }

    @Override
    public long localDatabaseSizeBytes() {
        return db.sizeOnDiskBytes();
    }

    @Override
    public long outboxSize() {
        return mirror.size();
    }

    @Override
    public MaterializedView view() {
        return aggregates;
    }

    @Override
    public void attach(MerkleCrdt crdt) {
        crdt.view(aggregates); // fails unless the view was registered on the engine's builder
        mirror.attach(crdt);
    }

    @Override
    public void detach() {
        mirror.detach();
    }

    /** Drains the outbox once, putting every waiting register as a close does (tests). */
    void drainOutbox() {
        mirror.drain(true);
    }

    /** Drains the outbox once as the timer does: registers only once their delay is over (tests). */
    void drainOutboxOnTime() {
        mirror.drain(false);
    }

    /** Terms of unflushed member writes read from the engine by reads so far (tests: the read-your-writes cost). */
    long pendingTermReads() {
        return pending.termReads();
    }

    /** The local database (tests). */
    LocalDb localDb() {
        return db;
    }

    /** The event log's retention (tests). */
    EventLogRetention eventLog() {
        return eventLog;
    }

    @Override
    public void close() {
        writes.close();
        mirror.close();
        eventLog.close();
        db.close();
    }
}
