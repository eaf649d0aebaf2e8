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
import org.jspecify.annotations.Nullable;

/** The {@link StatsService}: local database first, then the CRDT through the {@link CrdtMirror}. */
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
    private long seq; // guarded by writeLock

    DefaultStatsService(LocalDb db, String nodeId, Clock clock, Duration flushInterval, EventLogPolicy eventLogPolicy) {
        this.db = db;
        this.nodeId = nodeId;
        this.clock = clock;
        this.incarnation = loadIncarnation(db);
        this.seq = db.getLong(LocalKeys.SEQ);
        this.hlc = new HybridClock(clock, nodeId);
        this.aggregates = new Aggregates(nodeId, incarnation, hot, pending, hlc);
        this.mirror = new CrdtMirror(db, aggregates, pending, nodeId, incarnation, writeLock, flushInterval.toMillis());
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
    public void like(String postId, String userId) {
        toggleMember(Stat.LIKES, postId, userId, true);
    }

    @Override
    public void unlike(String postId, String userId) {
        toggleMember(Stat.LIKES, postId, userId, false);
    }

    @Override
    public void retweet(String postId, String userId) {
        toggleMember(Stat.RETWEETS, postId, userId, true);
    }

    @Override
    public void unretweet(String postId, String userId) {
        toggleMember(Stat.RETWEETS, postId, userId, false);
    }

    /**
     * Whether member {@code crdtKey} is present: in the replicated set when the CRDT is usable (so a user's
     * like taken by another node counts here once this node has merged it), else in the local database.
     */
    private boolean present(String crdtKey, String localKey) {
        Optional<MerkleCrdt> crdt = mirror.usable();
        if (crdt.isPresent()) {
            try {
                return crdt.get().get(crdtKey).isPresent();
            } catch (RuntimeException e) {
                mirror.failed(e);
            }
        }
        return db.get(localKey) != null;
    }

    private void toggleMember(Stat stat, String postId, String userId, boolean add) {
        Ids.require("post id", postId);
        Ids.require("user id", userId);
        boolean like = stat == Stat.LIKES;
        String memberKey = like ? LocalKeys.like(postId, userId) : LocalKeys.retweet(postId, userId);
        String crdtMember = StatsKeys.member(stat, postId, userId);
        String verb = like ? "liked" : "retweeted";
        synchronized (writeLock) {
            boolean present = present(crdtMember, memberKey);
            if (add && present) {
                throw new StatsException(StatsException.Problem.ALREADY_DONE,
                        "user " + userId + " already " + verb + " post " + postId);
            }
            if (!add && !present) {
                throw new StatsException(StatsException.Problem.NOT_DONE,
                        "user " + userId + " has not " + verb + " post " + postId);
            }
            byte[] existing = db.get(memberKey);
            long now = clock.millis();
            LocalDb.Batch b = db.batch();
            if (add) {
                b.putLong(memberKey, now);
                if (like) {
                    b.put(LocalKeys.userLike(userId, now, postId), new byte[0]);
                }
                bumpLocal(b, stat, postId, true);
            } else if (existing != null) { // a like taken by another node leaves this node's records alone
                b.delete(memberKey);
                if (like) {
                    b.delete(LocalKeys.userLike(userId, Bytes.u64(existing), postId));
                }
                bumpLocal(b, stat, postId, false);
            }
            commit(b, (add ? "" : "un") + (like ? "like" : "retweet"), postId, userId, "", crdtMember);
        }
    }

    @Override
    public void reply(String postId, String userId, String replyId) {
        Ids.require("post id", postId);
        Ids.require("user id", userId);
        Ids.require("reply id", replyId);
        synchronized (writeLock) {
            String key = LocalKeys.reply(postId, replyId);
            String crdtKey = StatsKeys.reply(postId, replyId);
            if (present(crdtKey, key)) {
                throw new StatsException(StatsException.Problem.ALREADY_DONE,
                        "reply " + replyId + " to post " + postId + " already exists");
            }
            long now = clock.millis();
            LocalDb.Batch b = db.batch();
            byte[] user = Bytes.utf8(userId);
            byte[] v = new byte[8 + user.length];
            Bytes.putLong(v, 0, now);
            System.arraycopy(user, 0, v, 8, user.length);
            b.put(key, v);
            bumpLocal(b, Stat.REPLIES, postId, true);
            commit(b, "reply", postId, userId, replyId, crdtKey);
        }
    }

    @Override
    public void deleteReply(String postId, String replyId) {
        Ids.require("post id", postId);
        Ids.require("reply id", replyId);
        synchronized (writeLock) {
            String key = LocalKeys.reply(postId, replyId);
            String crdtKey = StatsKeys.reply(postId, replyId);
            if (!present(crdtKey, key)) {
                throw new StatsException(StatsException.Problem.NOT_DONE,
                        "post " + postId + " has no reply " + replyId);
            }
            byte[] v = db.get(key);
            String userId = v == null ? "" : Bytes.str(java.util.Arrays.copyOfRange(v, 8, v.length));
            LocalDb.Batch b = db.batch();
            if (v != null) { // a reply taken by another node leaves this node's records alone
                b.delete(key);
                bumpLocal(b, Stat.REPLIES, postId, false);
            }
            commit(b, "deletereply", postId, userId, replyId, crdtKey);
        }
    }

    @Override
    public void view(String postId, @Nullable String userId) {
        Ids.require("post id", postId);
        if (userId != null) {
            Ids.require("user id", userId);
        }
        synchronized (writeLock) {
            LocalDb.Batch b = db.batch();
            String slot = bumpLocal(b, Stat.VIEWS, postId, true);
            commit(b, "view", postId, userId == null ? "" : userId, "", slot);
        }
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
                    b.putLong(LocalKeys.outbox(k), s);
                }
                b.putLong(LocalKeys.SEQ, s);
                b.put(LocalKeys.event(s), Bytes.utf8(now + "\timport\t\t\t" + changed + " posts"));
                db.write(b);
                seq = s;
                mirror.push(keys, s);
            }
            return new LegacyTotals.Outcome(posts.size(), changed, added[0], added[1], added[2], added[3]);
        }
    }

    /**
     * Adds one to this node's local incr (or decr) total of (stat, post) in {@code b}: the count that reads
     * fall back to without a CRDT. Returns the slot key that carries it; only views are counted in slots,
     * the other statistics are the sizes of their sets.
     */
    private String bumpLocal(LocalDb.Batch b, Stat stat, String postId, boolean increment) {
        String key = LocalKeys.counter(stat, postId);
        long[] totals = Bytes.longs(db.get(key), 2);
        totals[increment ? 0 : 1]++;
        b.put(key, Bytes.longs(totals));
        return new SlotKey(increment, stat, postId, nodeId, incarnation).key();
    }

    /**
     * Adds the event, the activity timestamp (a new {@link Hlc} tick, kept if larger than the post's local
     * one) and the outbox entries to {@code b}, writes it, mirrors it.
     */
    private void commit(LocalDb.Batch b, String action, String postId, String userId, String extra, String crdtKey) {
        Hlc t = hlc.tick();
        long s = seq + 1;
        b.putLong(LocalKeys.SEQ, s);
        b.put(LocalKeys.event(s), Bytes.utf8(t.wallMillis() + "\t" + action + "\t" + postId + "\t" + userId + "\t" + extra));
        Hlc local = Hlc.decode(db.get(LocalKeys.activity(postId)), nodeId);
        b.put(LocalKeys.activity(postId), Hlc.max(local, t).encode());
        List<String> keys = new ArrayList<>(2);
        keys.add(crdtKey);
        keys.add(StatsKeys.activity(postId, nodeId));
        for (String k : keys) {
            b.putLong(LocalKeys.outbox(k), s);
        }
        db.write(b);
        seq = s;
        hot.touch(postId);
        mirror.push(keys, s);
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
            byte[] localBytes = db.get(LocalKeys.counter(stat, postId));
            long[] local = Bytes.longs(localBytes, 2);
            known |= localBytes != null;
            long incr = local[0];
            long decr = local[1];
            if (crdt != null && stat != Stat.VIEWS) {
                // the number of live members of the replicated set, plus this node's writes not yet flushed
                long[] members = {-1};
                v[stat.ordinal()] = pending.count(stat, postId, crdt, () -> members[0] = aggregates.members(crdt, stat, postId));
                known |= members[0] >= 0 || pending.any(stat, postId);
                continue;
            }
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

    /** Drains the outbox once (tests). */
    void drainOutbox() {
        mirror.drain();
    }

    /** The event log's retention (tests). */
    EventLogRetention eventLog() {
        return eventLog;
    }

    @Override
    public void close() {
        mirror.close();
        eventLog.close();
        db.close();
    }
}
