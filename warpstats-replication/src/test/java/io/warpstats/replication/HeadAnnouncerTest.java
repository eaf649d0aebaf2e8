package io.warpstats.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.crdt.CrdtBroadcast;
import io.warpstats.multiformats.Cid;
import io.warpstats.p2p.PeerId;
import io.warpstats.p2p.crypto.PrivateKey;
import io.warpstats.p2p.pubsub.MessageId;
import io.warpstats.p2p.pubsub.PubSubMessage;
import io.warpstats.p2p.pubsub.ValidationResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link HeadAnnouncer} on a virtual clock: fresh heads at once, doubling quiet windows, reset on a difference, coalescing. */
class HeadAnnouncerTest {
    private static final long I = 1_000_000_000L; // the rebroadcast interval, 1 s in virtual nanoseconds

    /** A virtual clock with its delayed tasks. */
    private static final class Clock {
        long now;
        private long seq;
        private final PriorityQueue<long[]> order = new PriorityQueue<>((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        private final Map<Long, Runnable> tasks = new java.util.HashMap<>();

        void later(long nanos, Runnable task) {
            long id = seq++;
            order.add(new long[] {now + nanos, id});
            tasks.put(id, task);
        }

        void runUntil(long t) {
            while (!order.isEmpty() && order.peek()[0] <= t) {
                long[] e = order.poll();
                now = e[0];
                tasks.remove(e[1]).run();
            }
            now = t;
        }
    }

    /** One replica's announcer: what it published, its heads, the blocks it holds. */
    private static final class Node implements HeadAnnouncer.Environment {
        final Clock clock;
        final List<Long> publishedAt = new ArrayList<>();
        final List<List<CrdtBroadcast.Announced>> publishedHeads = new ArrayList<>();
        final Set<Cid> heads = new HashSet<>();
        final Set<Cid> held = new HashSet<>();
        List<Node> others = List.of();
        HeadAnnouncer announcer;

        Node(Clock clock, Duration gap) {
            this.clock = clock;
            this.announcer = HeadAnnouncer.create(Duration.ofNanos(I), gap, () -> clock.now, this);
        }

        @Override
        public void publish(List<CrdtBroadcast.Announced> h, Map<Cid, byte[]> blocks) {
            publishedAt.add(clock.now);
            publishedHeads.add(h);
            for (Node o : others) o.announcer.heard(h); // heard at once
        }

        @Override
        public void later(long nanos, Runnable task) { clock.later(nanos, task); }

        @Override
        public Set<Cid> currentHeads(String dagName) { return Set.copyOf(heads); }

        @Override
        public boolean holds(Cid cid) { return held.contains(cid); }

        void offerHeads() {
            List<CrdtBroadcast.Announced> a = new ArrayList<>();
            for (Cid c : heads) a.add(new CrdtBroadcast.Announced(c, ""));
            announcer.offer(new CrdtBroadcast(a, List.of()));
        }

        void setHead(Cid c) {
            heads.clear();
            heads.add(c);
            held.add(c);
        }
    }

    private static Cid cid(String s) {
        return Cid.ofDagPb(s.getBytes(StandardCharsets.UTF_8));
    }

    /** A node with one head, offered at the start of each of the first {@code intervals} + 1 intervals. */
    private static Node offeredEachInterval(Clock clock, int intervals) {
        Node n = new Node(clock, Duration.ZERO);
        n.setHead(cid("a"));
        for (int i = 0; i <= intervals; i++) {
            clock.runUntil(i * I);
            n.offerHeads();
        }
        return n;
    }

    @Test
    void aFreshHeadGoesOutAtOnceAndAnUnchangedOneEverDoublingWindowsUpToEightIntervals() {
        Clock clock = new Clock();
        Node n = offeredEachInterval(clock, 30);
        // windows of 0.75, 1.5, 3 and 6 intervals, offered once an interval
        assertThat(n.publishedAt).containsExactly(0L, 1 * I, 3 * I, 6 * I, 12 * I, 18 * I, 24 * I, 30 * I);
        assertThat(n.announcer.suppressed()).isEqualTo(31 - 8);

        n.setHead(cid("b")); // a new head is not held back by the old one's window
        clock.runUntil(30 * I + 1);
        n.offerHeads();
        assertThat(n.publishedAt).hasSize(9).endsWith(30 * I + 1);
    }

    @Test
    void hundredReplicasOnTheSameHeadsSendAboutOneAnnouncementPerWindowNotOnePerReplicaAndInterval() {
        Clock clock = new Clock();
        Random rnd = new Random(7);
        List<Node> nodes = new ArrayList<>();
        Cid head = cid("shared");
        for (int i = 0; i < 100; i++) {
            Node n = new Node(clock, Duration.ofMillis(50));
            n.setHead(head);
            nodes.add(n);
        }
        for (Node n : nodes) {
            n.others = nodes.stream().filter(o -> o != n).toList();
            scheduleRebroadcast(clock, n, rnd, (long) (rnd.nextDouble() * I));
        }
        clock.runUntil(100 * I);
        int total = nodes.stream().mapToInt(n -> n.publishedAt.size()).sum();
        // 100 replicas × 100 intervals offered 10,000 times; windows of 0.75, 1.5, 3, then 6 intervals
        // leave room for about 20 announcements in 100 intervals
        assertThat(total).isBetween(10, 25);
    }

    private static void scheduleRebroadcast(Clock clock, Node n, Random rnd, long delay) {
        clock.later(delay, () -> {
            n.offerHeads();
            long jitter = (long) (I * 0.2 * (2 * rnd.nextDouble() - 1));
            scheduleRebroadcast(clock, n, rnd, I + jitter);
        });
    }

    @Test
    void anAnnouncementOfAHeadNotHeldBringsTheOwnHeadsBackToOneInterval() {
        Clock clock = new Clock();
        Node a = offeredEachInterval(clock, 12);
        assertThat(a.publishedAt).endsWith(12 * I); // now in a window of 6 intervals
        clock.runUntil(13 * I);
        a.held.add(cid("held"));
        a.announcer.heard(List.of(new CrdtBroadcast.Announced(cid("held"), "")));
        clock.runUntil(14 * I);
        a.offerHeads();
        assertThat(a.publishedAt).endsWith(12 * I);

        a.announcer.heard(List.of(new CrdtBroadcast.Announced(cid("other side"), ""))); // the replicas differ
        clock.runUntil(15 * I);
        a.offerHeads(); // 3 intervals after its last announcement: past the reset window of 0.75
        assertThat(a.publishedAt).endsWith(12 * I, 15 * I);
    }

    @Test
    void headsOfferedBeyondTheBudgetGoOutTogetherWhenItAllowsWithoutTheSupersededOnes() {
        Clock clock = new Clock();
        Node n = new Node(clock, Duration.ofMillis(50));
        n.setHead(cid("1"));
        n.offerHeads(); // at once
        clock.runUntil(5_000_000);
        n.setHead(cid("1b"));
        n.offerHeads(); // at once too: the burst of two after a quiet period
        clock.runUntil(10_000_000);
        n.setHead(cid("2"));
        n.offerHeads(); // waits: two went out within the last gap, the next may at 50 ms
        clock.runUntil(20_000_000);
        n.setHead(cid("3"));
        n.heads.add(cid("3b"));
        n.held.add(cid("3b"));
        n.offerHeads();
        assertThat(n.publishedAt).as("%s", n.publishedHeads).containsExactly(0L, 5_000_000L);
        clock.runUntil(60_000_000);
        assertThat(n.publishedAt).containsExactly(0L, 5_000_000L, 50_000_000L);
        assertThat(n.publishedHeads.get(2)).extracting(CrdtBroadcast.Announced::cid)
                .containsExactlyInAnyOrder(cid("3"), cid("3b")); // "2" was superseded before the budget allowed
    }

    /** Offers a fresh head (a flush) at each time of {@code at}, then runs the clock 1 s past the last. */
    private static List<Long> flushesAt(Node n, List<Long> at) {
        for (int i = 0; i < at.size(); i++) {
            n.clock.runUntil(at.get(i));
            n.setHead(cid("flush " + i));
            n.offerHeads();
        }
        n.clock.runUntil(at.get(at.size() - 1) + I);
        return n.publishedAt;
    }

    @Test
    void withAGapOfTheFlushDelayEveryTimerFlushIsAnnouncedAsItIsWrittenThoughWriteTimesVary() {
        // timer flushes start flushDelay (10 ms, the engine's default) apart after the previous one, and
        // are offered when their write ends, 0.2-4 ms later: one comes up to 3.8 ms early after a slow one
        Node n = new Node(new Clock(), Duration.ofMillis(10));
        Random rnd = new Random(11);
        List<Long> offered = new ArrayList<>();
        long start = 0;
        for (int i = 0; i < 1_000; i++) {
            offered.add(start + 200_000 + (long) (rnd.nextDouble() * 3_800_000));
            start += 10_000_000 + (long) (rnd.nextDouble() * 1_000_000); // the timer runs late, never early
        }
        assertThat(flushesAt(n, offered)).as("no flush waits for a gap").isEqualTo(offered);
    }

    @Test
    void aStormOfFlushesIsHeldToOneAnnouncementPerGapWithinWhatReceiversAccept() {
        // size flushes every millisecond for 10 s: one announcement per gap (50 ms), all accepted by a
        // peer's AnnouncementLimit of the default SyncParams (an honest node is never ignored or charged)
        Node n = new Node(new Clock(), PubSubBroadcaster.DEFAULT_MIN_PUBLISH_GAP);
        List<Long> offered = new ArrayList<>();
        for (long t = 0; t < 10 * I; t += 1_000_000) offered.add(t);
        List<Long> published = flushesAt(n, offered);
        long gap = PubSubBroadcaster.DEFAULT_MIN_PUBLISH_GAP.toNanos();
        assertThat(published).hasSizeBetween((int) (10 * I / gap), (int) (10 * I / gap) + HeadAnnouncer.BURST);
        for (int i = HeadAnnouncer.BURST; i < published.size(); i++) {
            assertThat(published.get(i) - published.get(i - HeadAnnouncer.BURST)).isGreaterThanOrEqualTo(gap);
        }
        long[] now = {0};
        List<PeerPenalty.Offense> charged = new ArrayList<>();
        AnnouncementLimit limit = new AnnouncementLimit(SyncParams.defaults(), (peer, offense, detail) -> charged.add(offense), () -> now[0]);
        PeerId author = PeerId.fromPublicKey(PrivateKey.fromSeed(new byte[32]).publicKey());
        List<ValidationResult> verdicts = new ArrayList<>();
        for (int i = 0; i < published.size(); i++) {
            now[0] = published.get(i);
            byte[] data = {(byte) i};
            verdicts.add(limit.validate(new PubSubMessage("t", author, data, i, MessageId.of(data), author)));
        }
        assertThat(verdicts).containsOnly(ValidationResult.ACCEPT);
        assertThat(charged).isEmpty();
    }
}
