package io.warpstats.replication;

import io.warpstats.multiformats.Cid;
import io.warpstats.p2p.Host;
import io.warpstats.p2p.PeerId;
import io.warpstats.p2p.ProtocolViolationException;
import io.warpstats.p2p.Stream;
import io.warpstats.p2p.limit.RateLimiter;
import io.warpstats.replication.PeerPenalty.Offense;
import io.warpstats.replication.SyncMessage.Blocks;
import io.warpstats.replication.SyncMessage.Branch;
import io.warpstats.replication.SyncMessage.Code;
import io.warpstats.replication.SyncMessage.Get;
import io.warpstats.replication.SyncMessage.Status;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The server side of the sync protocol (see {@link SyncServer}). */
final class SyncServerImpl implements SyncServer {
    private static final Logger log = LoggerFactory.getLogger(SyncServerImpl.class);

    private final Host host;
    private final BlockSource source;
    private final SyncParams p;
    private final PeerPenalty penalty;
    private final SyncCodec.Limits limits;
    private final ExecutorService workers;
    private final BranchWalk.MetaCache walkCache = new BranchWalk.MetaCache(65_536);
    private final Map<PeerId, AtomicInteger> streamsPerPeer = new ConcurrentHashMap<>();
    private final Set<Stream> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger answering = new AtomicInteger();
    private final LongAdder requests = new LongAdder();
    private final LongAdder blocks = new LongAdder();
    private final LongAdder blockBytes = new LongAdder();
    private final LongAdder wireBytes = new LongAdder();
    private final LongAdder penalties = new LongAdder();
    private final LongAdder failures = new LongAdder();
    /** The per-peer request limits (tests read their counters). */
    final PeerLimits requestLimits;
    /** Block bytes answered per peer: charged after the answer is built, a peer in debt is answered BUSY. */
    private final RateLimiter<PeerId> answerBytes;
    /** Streams answered BUSY because the peer had maxStreamsPerPeer open (tests). */
    final LongAdder busyStreams = new LongAdder();
    private volatile boolean closed;

    SyncServerImpl(Host host, BlockSource source, SyncParams params, PeerPenalty penalty) {
        this.host = host;
        this.source = source;
        this.p = params;
        this.penalty = penalty;
        this.limits = SyncCodec.Limits.of(params);
        this.requestLimits = new PeerLimits("sync requests", params.requestRate(), params, penalty, System::nanoTime);
        this.answerBytes = new RateLimiter<>(params.answerBytesRate(), params.maxScoredPeers(), System::nanoTime);
        this.workers = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "sync-server");
            t.setDaemon(true);
            return t;
        });
    }

    void handle(Stream stream) {
        PeerId peer = stream.remotePeer();
        AtomicInteger n = streamsPerPeer.computeIfAbsent(peer, k -> new AtomicInteger());
        int count = n.incrementAndGet();
        if (closed || count > 2 * p.maxStreamsPerPeer()) {
            // a flood: far beyond what an honest client (which queues at maxStreamsPerPeer) can open
            n.decrementAndGet();
            if (!closed) penalize(peer, Offense.TOO_MANY_STREAMS, "more than " + 2 * p.maxStreamsPerPeer() + " sync streams");
            stream.reset();
            return;
        }
        open.add(stream);
        stream.closeFuture().whenComplete((v, e) -> {
            open.remove(stream);
            if (n.decrementAndGet() <= 0) streamsPerPeer.remove(peer, n);
        });
        if (count > p.maxStreamsPerPeer()) {
            // over the limit, but within what a race of close and open can produce: BUSY, no penalty;
            // the stream counts until it is gone, so a flood still ends above
            busyStreams.increment();
            stream.writeMessage(SyncCodec.encode(Status.of(Code.BUSY, "more than " + p.maxStreamsPerPeer() + " sync streams")));
            stream.close();
            return;
        }
        new Session(stream).next();
    }

    private void penalize(PeerId peer, Offense o, String detail) {
        penalties.increment();
        log.debug("sync: penalizing {} ({}): {}", peer, o, detail);
        try {
            penalty.penalize(peer, o, detail);
        } catch (RuntimeException e) {
            log.warn("PeerPenalty failed", e);
        }
    }

    /** One stream: read a request, answer it, repeat. */
    private final class Session {
        private final Stream stream;
        private final Set<Cid> have = new HashSet<>();

        Session(Stream stream) { this.stream = stream; }

        void next() {
            if (closed) {
                stream.reset();
                return;
            }
            stream.readMessage(p.maxRequestBytes())
                    .orTimeout(p.streamIdleTimeout().toMillis(), TimeUnit.MILLISECONDS)
                    .whenComplete(this::onRequest);
        }

        private void onRequest(byte[] frame, Throwable err) {
            if (err != null) {
                Throwable c = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
                if (c instanceof ProtocolViolationException) penalize(stream.remotePeer(), Offense.MALFORMED, c.getMessage());
                if (c instanceof TimeoutException) stream.close();
                else stream.reset();
                return;
            }
            if (frame == null) { // the asker is done
                stream.close();
                return;
            }
            SyncMessage m;
            try {
                m = SyncCodec.decode(frame, limits);
            } catch (MalformedFrameException e) {
                refuse(e.getMessage());
                return;
            }
            if (m instanceof Get g) {
                if (g.cids().size() > p.maxCidsPerRequest()) { refuse("more than " + p.maxCidsPerRequest() + " cids"); return; }
            } else if (m instanceof Branch b) {
                if (b.heads().size() > p.maxCidsPerRequest()) { refuse("more than " + p.maxCidsPerRequest() + " heads"); return; }
                for (Cid c : b.have()) {
                    if (have.size() >= p.maxHave() && !have.contains(c)) { refuse("more than " + p.maxHave() + " have cids on a stream"); return; }
                    have.add(c);
                }
            } else {
                refuse("not a request: " + m.getClass().getSimpleName());
                return;
            }
            requests.increment();
            PeerLimits.Verdict v = requestLimits.take(stream.remotePeer(), true);
            if (v == PeerLimits.Verdict.REFUSE) { // abusive: charged FLOOD by the limits, the stream closed
                stream.writeMessage(SyncCodec.encode(Status.of(Code.REFUSED, "far over the request rate limit")));
                stream.close();
                return;
            }
            if (v == PeerLimits.Verdict.SLOW || answerBytes.debt(stream.remotePeer()) > 0) {
                send(List.of(SyncCodec.encode(Status.of(Code.BUSY, "over the rate limit"))), 0);
                return;
            }
            if (answering.incrementAndGet() > p.maxConcurrentAnswers()) {
                answering.decrementAndGet();
                send(List.of(SyncCodec.encode(Status.of(Code.BUSY, "busy"))), 0);
                return;
            }
            CompletableFuture<List<byte[]>> answer;
            try {
                answer = CompletableFuture.supplyAsync(() -> answer(m), workers);
            } catch (RejectedExecutionException e) {
                answering.decrementAndGet();
                stream.reset();
                return;
            }
            answer.whenComplete((frames, e) -> {
                answering.decrementAndGet();
                if (e != null) {
                    failures.increment();
                    log.warn("sync: answer failed", e);
                    stream.reset();
                    return;
                }
                long bytes = 0;
                for (byte[] f : frames) bytes += f.length;
                answerBytes.charge(stream.remotePeer(), bytes);
                send(frames, 0);
            });
        }

        private void refuse(String reason) {
            penalize(stream.remotePeer(), Offense.MALFORMED, reason);
            stream.writeMessage(SyncCodec.encode(Status.of(Code.REFUSED, reason.length() > 200 ? reason.substring(0, 200) : reason)));
            stream.close();
        }

        /** Builds the frames of an answer (on a worker thread). */
        private List<byte[]> answer(SyncMessage m) {
            List<byte[]> sent = new ArrayList<>();
            List<byte[]> frames = new ArrayList<>();
            Status status;
            if (m instanceof Get g) {
                List<Cid> missing = new ArrayList<>();
                long bytes = 0;
                for (Cid c : new LinkedHashSet<>(g.cids())) {
                    Optional<byte[]> b = source.block(c);
                    if (b.isEmpty() || bytes + b.get().length > p.maxAnswerBytes() && !sent.isEmpty()) missing.add(c);
                    else {
                        sent.add(b.get());
                        bytes += b.get().length;
                    }
                }
                status = new Status(Code.COMPLETE, List.of(), missing, "");
            } else {
                Branch b = (Branch) m;
                if (io.warpstats.crdt.Trace.ON) for (Cid h : b.heads()) io.warpstats.crdt.Trace.event("serve", stream.remotePeer(), h);
                int budget = b.maxBlocks() == 0 ? p.blockBudget() : Math.min(b.maxBlocks(), p.blockBudget());
                BranchWalk.Result r = new BranchWalk(source, budget, p.maxAnswerBytes(), p.maxWalkSteps(), p.maxCidsPerRequest(), walkCache)
                        .run(new LinkedHashSet<>(b.heads()), have);
                sent = r.blocks();
                status = new Status(r.truncated() ? Code.TRUNCATED : Code.COMPLETE, r.continuation(), r.missing(), "", r.pruned());
            }
            // batch the blocks into BLOCKS frames of about batchBytes each
            List<byte[]> batch = new ArrayList<>();
            long batchSize = 0;
            for (byte[] blk : sent) {
                if (!batch.isEmpty() && batchSize + blk.length > p.batchBytes()) {
                    frames.add(blocksFrame(batch));
                    batch = new ArrayList<>();
                    batchSize = 0;
                }
                batch.add(blk);
                batchSize += blk.length;
                blocks.increment();
                blockBytes.add(blk.length);
            }
            if (!batch.isEmpty()) frames.add(blocksFrame(batch));
            frames.add(SyncCodec.encode(status));
            return frames;
        }

        private byte[] blocksFrame(List<byte[]> batch) {
            byte[] f = SyncCodec.encode(new Blocks(batch), p.compressMinBytes(), p.compressionLevel());
            wireBytes.add(f.length);
            return f;
        }

        /** Writes the frames one after the other (each write waits for the previous: backpressure), then reads on. */
        private void send(List<byte[]> frames, int i) {
            if (i == frames.size()) {
                next();
                return;
            }
            stream.writeMessage(frames.get(i)).whenComplete((v, e) -> {
                if (e != null) {
                    stream.reset();
                    return;
                }
                send(frames, i + 1);
            });
        }
    }

    @Override
    public SyncMetrics metrics() {
        return new SyncMetrics(requests.sum(), blocks.sum(), blockBytes.sum(), wireBytes.sum(), penalties.sum(), failures.sum(), 0);
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        host.removeHandler(PROTOCOL);
        workers.shutdownNow();
        for (Stream s : open) s.reset();
    }
}
