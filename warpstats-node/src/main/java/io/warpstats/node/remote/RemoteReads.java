package io.warpstats.node.remote;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.warpstats.node.http.RemotePosts;
import io.warpstats.node.remote.StatsReadCodec.Read;
import io.warpstats.node.remote.StatsReadCodec.Status;
import io.warpstats.node.remote.StatsReadCodec.Totals;
import io.warpstats.p2p.Host;
import io.warpstats.p2p.PeerId;
import io.warpstats.p2p.Stream;
import io.warpstats.p2p.pubsub.PubSub;
import io.warpstats.replication.PeerPenalty;
import io.warpstats.stats.PostStats;
import io.warpstats.stats.Shards;
import io.warpstats.stats.Source;
import io.warpstats.stats.StatsException;
import io.warpstats.stats.StatsService;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads of posts in shards this node does not follow, both sides of {@value StatsReadCodec#PROTOCOL}.
 *
 * <p>Asking: the followers of the post's shard are the connected peers subscribed to its topic (gossipsub
 * tells every peer's subscriptions). Up to {@link Params#maxPeers} of them, in random order, are asked one
 * after the other, each within {@link Params#peerTimeout}; the first that answers from its replicated state
 * wins. Answers (a post's totals, or "unknown post") are kept in a Caffeine cache of at most
 * {@link Params#cacheSize} posts for {@link Params#cacheTtl} after they arrive: a hot post costs one request
 * per TTL however often it is read, and concurrent reads of one post share one request. No answer (every
 * follower down, slow or refusing) is {@link RemotePosts.Outcome#UNAVAILABLE} and is not cached.
 *
 * <p>Answering: a request is read within {@link Params#peerTimeout} and answered off the network threads
 * on at most {@link Params#serverThreads} threads with {@link Params#serverQueue} waiting; beyond that the
 * answer is UNAVAILABLE at once. A node answers with totals only for a shard it follows, only when asked with
 * its own shard count, and only when its reads come from the replicated state ({@link Source#CRDT}). A
 * malformed or oversized request resets the stream and costs the asker {@link PeerPenalty.Offense#MALFORMED}.
 *
 * <p>Thread-safe.
 */
public final class RemoteReads implements RemotePosts, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RemoteReads.class);

    /**
     * Limits of remote reads.
     *
     * @param peerTimeout   one follower must answer (and an asker must send its request) within this
     * @param maxPeers      the most followers asked for one read before it is unavailable
     * @param cacheSize     the most posts whose remote answers are cached
     * @param cacheTtl      a cached answer is used for this long after it arrived
     * @param serverThreads threads answering requests
     * @param serverQueue   requests waiting for a thread before the answer is UNAVAILABLE
     */
    public record Params(Duration peerTimeout, int maxPeers, long cacheSize, Duration cacheTtl, int serverThreads, int serverQueue) {
        public Params {
            Objects.requireNonNull(peerTimeout, "peerTimeout");
            Objects.requireNonNull(cacheTtl, "cacheTtl");
            if (peerTimeout.isNegative() || peerTimeout.isZero()) throw new IllegalArgumentException("peerTimeout must be positive");
            if (maxPeers < 1 || maxPeers > 16) throw new IllegalArgumentException("maxPeers must be 1..16");
            if (cacheSize < 0 || cacheSize > 10_000_000) throw new IllegalArgumentException("cacheSize must be 0..10000000");
            if (cacheTtl.isNegative()) throw new IllegalArgumentException("cacheTtl must not be negative");
            if (serverThreads < 1 || serverThreads > 64) throw new IllegalArgumentException("serverThreads must be 1..64");
            if (serverQueue < 1 || serverQueue > 100_000) throw new IllegalArgumentException("serverQueue must be 1..100000");
        }

        /** 1 s per follower, 3 followers, 10,000 posts cached for 1 s, 2 answering threads with 256 waiting. */
        public static Params defaults() {
            return new Params(Duration.ofSeconds(1), 3, 10_000, Duration.ofSeconds(1), 2, 256);
        }
    }

    private final Host host;
    private final PubSub pubsub;
    private final Shards shards;
    private final IntPredicate follows;
    private final IntFunction<String> topicOf;
    private final StatsService stats;
    private final PeerPenalty penalty;
    private final Params params;
    private final AsyncCache<String, Answer> cache;
    private final ThreadPoolExecutor answering;
    private final Counter found;
    private final Counter unknown;
    private final Counter unavailable;
    private final Counter served;

    private RemoteReads(Host host, PubSub pubsub, Shards shards, IntPredicate follows, IntFunction<String> topicOf, StatsService stats,
                        PeerPenalty penalty, Params params, MeterRegistry registry) {
        this.host = host;
        this.pubsub = pubsub;
        this.shards = shards;
        this.follows = follows;
        this.topicOf = topicOf;
        this.stats = stats;
        this.penalty = penalty;
        this.params = params;
        this.cache = Caffeine.newBuilder().maximumSize(params.cacheSize()).expireAfterWrite(params.cacheTtl()).recordStats().buildAsync();
        CaffeineCacheMetrics.monitor(registry, cache, "warpstats.remote.stats");
        this.found = outcome(registry, "found");
        this.unknown = outcome(registry, "unknown");
        this.unavailable = outcome(registry, "unavailable");
        this.served = Counter.builder("warpstats.remote.reads.served").description("remote reads answered with totals for other nodes")
                .register(registry);
        this.answering = new ThreadPoolExecutor(params.serverThreads(), params.serverThreads(), 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(params.serverQueue()), r -> {
                    Thread t = new Thread(r, "remote-reads");
                    t.setDaemon(true);
                    return t;
                });
    }

    private static Counter outcome(MeterRegistry registry, String outcome) {
        return Counter.builder("warpstats.remote.reads").tag("outcome", outcome)
                .description("reads of posts of unfollowed shards that went to the network, by outcome").register(registry);
    }

    /**
     * Starts answering {@value StatsReadCodec#PROTOCOL} on {@code host} and returns the reader.
     *
     * @param follows whether this node follows a shard
     * @param topicOf the gossipsub topic of a shard (its followers subscribe to it)
     */
    public static RemoteReads start(Host host, PubSub pubsub, Shards shards, IntPredicate follows, IntFunction<String> topicOf,
                                    StatsService stats, PeerPenalty penalty, Params params, MeterRegistry registry) {
        RemoteReads r = new RemoteReads(host, pubsub, shards, follows, topicOf, stats, penalty, params, registry);
        host.setHandler(StatsReadCodec.PROTOCOL, r::serve);
        return r;
    }

    @Override
    public boolean isRemote(String postId) {
        return !follows.test(shards.shardOf(postId));
    }

    @Override
    public CompletableFuture<Answer> read(String postId) {
        return cache.get(postId, (post, executor) -> ask(post).thenApply(a -> {
            switch (a.outcome()) {
                case FOUND -> found.increment();
                case UNKNOWN -> unknown.increment();
                case UNAVAILABLE -> unavailable.increment();
            }
            return a.outcome() == Outcome.UNAVAILABLE ? null : a; // null: not cached
        })).thenApply(a -> a == null ? Answer.UNAVAILABLE : a);
    }

    private CompletableFuture<Answer> ask(String postId) {
        int shard = shards.shardOf(postId);
        return pubsub.peers(topicOf.apply(shard)).handle((peers, e) -> {
            List<PeerId> candidates = new ArrayList<>();
            if (peers != null) for (PeerId p : peers) if (host.connection(p).isPresent()) candidates.add(p);
            Collections.shuffle(candidates);
            return candidates.subList(0, Math.min(params.maxPeers(), candidates.size()));
        }).thenCompose(candidates -> askInTurn(postId, candidates, 0));
    }

    private CompletableFuture<Answer> askInTurn(String postId, List<PeerId> peers, int i) {
        if (i >= peers.size()) return CompletableFuture.completedFuture(Answer.UNAVAILABLE);
        return askOne(postId, peers.get(i)).handle((a, e) -> a).thenCompose(a -> a != null && a.outcome() != Outcome.UNAVAILABLE
                ? CompletableFuture.completedFuture(a) : askInTurn(postId, peers, i + 1));
    }

    private CompletableFuture<Answer> askOne(String postId, PeerId peer) {
        byte[] request = StatsReadCodec.encode(new Read(postId, shards.count()));
        CompletableFuture<Stream> open = host.newStream(peer, List.of(StatsReadCodec.PROTOCOL));
        CompletableFuture<Answer> answer = open.thenCompose(s -> s.writeMessage(request)
                .thenCompose(v -> s.readMessage(StatsReadCodec.MAX_ANSWER))
                .thenApply(frame -> {
                    s.close();
                    if (frame == null) return Answer.UNAVAILABLE;
                    Totals t;
                    try {
                        t = StatsReadCodec.decodeTotals(frame);
                    } catch (IllegalArgumentException bad) {
                        penalty.penalize(peer, PeerPenalty.Offense.MALFORMED, "stats read answer: " + bad.getMessage());
                        return Answer.UNAVAILABLE;
                    }
                    return switch (t.status()) {
                        case OK -> new Answer(Outcome.FOUND, new PostStats(postId, t.likes(), t.retweets(), t.replies(), t.views(),
                                t.lastActivityMillis() == 0 ? null : Instant.ofEpochMilli(t.lastActivityMillis()), Source.PEER));
                        case UNKNOWN_POST -> Answer.UNKNOWN;
                        default -> {
                            log.debug("{} did not answer for {}: {} {}", peer, postId, t.status(), t.detail());
                            yield Answer.UNAVAILABLE;
                        }
                    };
                }));
        return answer.orTimeout(params.peerTimeout().toMillis(), TimeUnit.MILLISECONDS).whenComplete((a, e) -> {
            if (e != null) open.thenAccept(Stream::reset);
        });
    }

    // ---- answering ----

    private void serve(Stream s) {
        PeerId from = s.remotePeer();
        s.readMessage(StatsReadCodec.MAX_REQUEST).orTimeout(params.peerTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((frame, e) -> {
                    if (e != null || frame == null) {
                        s.reset();
                        return;
                    }
                    Read read;
                    try {
                        read = StatsReadCodec.decodeRead(frame);
                    } catch (IllegalArgumentException bad) {
                        penalty.penalize(from, PeerPenalty.Offense.MALFORMED, "stats read request: " + bad.getMessage());
                        s.reset();
                        return;
                    }
                    try {
                        answering.execute(() -> reply(s, totals(read)));
                    } catch (RejectedExecutionException busy) {
                        reply(s, Totals.of(Status.UNAVAILABLE, "busy"));
                    }
                });
    }

    private void reply(Stream s, Totals t) {
        s.writeMessage(StatsReadCodec.encode(t)).whenComplete((v, e) -> s.close());
    }

    Totals totals(Read read) {
        if (read.shards() != shards.count()) {
            return Totals.of(Status.SHARDS_MISMATCH, "this node's network has " + shards.count() + " shards, not " + read.shards());
        }
        String post = read.postId();
        int shard;
        try {
            shard = shards.shardOf(io.warpstats.stats.Ids.require("post id", post));
        } catch (RuntimeException bad) {
            return Totals.of(Status.UNKNOWN_POST, "not a valid post id");
        }
        if (!follows.test(shard)) return Totals.of(Status.NOT_FOLLOWED, "this node does not follow shard " + shard);
        try {
            PostStats p = stats.stats(post);
            if (p.source() != Source.CRDT) return Totals.of(Status.UNAVAILABLE, "reads are local only right now");
            served.increment();
            return new Totals(Status.OK, p.likes(), p.retweets(), p.replies(), p.views(),
                    p.lastActivity() == null ? 0 : p.lastActivity().toEpochMilli(), "");
        } catch (StatsException e) {
            return e.problem() == StatsException.Problem.UNKNOWN_POST ? Totals.of(Status.UNKNOWN_POST, "")
                    : Totals.of(Status.UNAVAILABLE, e.problem().name());
        } catch (RuntimeException e) {
            return Totals.of(Status.UNAVAILABLE, "the read failed");
        }
    }

    /** Stops answering; reads in flight complete as they can. */
    @Override
    public void close() {
        try {
            host.removeHandler(StatsReadCodec.PROTOCOL);
        } catch (RuntimeException ignored) {
            // host closed first
        }
        answering.shutdownNow();
    }
}
