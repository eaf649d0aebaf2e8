package io.warpstats.node.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile nodes built from the real stack ({@link HostileNode}, a separate JVM) against two honest
 * {@code warpstats node} processes ({@value HonestCluster#HEAP} heap each) on 127.0.0.1. For each
 * misbehaviour: the honest nodes keep taking writes and converge on the exact totals while it runs,
 * nothing of the hostile node's is applied, its offence shows in the honest nodes' {@code /metrics}
 * (rejections by reason, sync penalties and bans, pubsub invalid and graylisted counts), and the
 * honest nodes are alive with their heap under 512 MB.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 100, unit = TimeUnit.SECONDS)
class HostileNodesTest {
    static final Duration CONVERGE = Duration.ofSeconds(40);
    static final Duration DONE = Duration.ofSeconds(40);
    private Path root;
    private HonestCluster honest;
    /** Post → the exact statistics every honest node must report (likes, retweets, replies, views). */
    private final Map<String, List<Long>> expected = new TreeMap<>();
    private int wave;

    @BeforeAll
    void start() throws Exception {
        root = Files.createTempDirectory("warpstats-hostile");
        honest = new HonestCluster(root, 2);
    }

    @AfterAll
    void stop() {
        if (honest != null) honest.close();
    }

    /** Three views through every honest node and a like through each, all acknowledged, added to what is expected. */
    private void honestWrites(String post) throws Exception {
        wave++;
        System.out.printf("writes of wave %d at %s%n", wave, java.time.Instant.now());
        for (int i = 0; i < honest.size(); i++) {
            for (int v = 0; v < 3; v++) honest.view(i, post);
            honest.like(i, post, "u" + i + "w" + wave);
        }
        List<Long> e = expected.getOrDefault(post, List.of(0L, 0L, 0L, 0L));
        expected.put(post, List.of(e.get(0) + honest.size(), 0L, 0L, e.get(3) + 3L * honest.size()));
    }

    private HostileProcess hostile(String mode, String... extra) throws Exception {
        List<String> victims = new ArrayList<>();
        for (int i = 0; i < honest.size(); i++) victims.add(honest.peerId(i));
        HostileProcess h = new HostileProcess(root.resolve(mode), mode, honest.addresses, victims, extra);
        h.await("ready", Duration.ofSeconds(60));
        return h;
    }

    private List<Map<String, Double>> metrics() throws Exception {
        List<Map<String, Double>> m = new ArrayList<>();
        for (int i = 0; i < honest.size(); i++) m.add(honest.metrics(i));
        return m;
    }

    private static double delta(Map<String, Double> before, Map<String, Double> after, String sample) {
        return after.getOrDefault(sample, 0.0) - before.getOrDefault(sample, 0.0);
    }

    /** Converged on the exact totals; every honest node alive, its heap under 512 MB; returns the metrics now. */
    private List<Map<String, Double>> convergedAndHealthy(String scenario) throws Exception {
        Duration took;
        try {
            took = honest.awaitTotals(expected, CONVERGE);
        } catch (AssertionError e) {
            for (int i = 0; i < honest.size(); i++) {
                Map<String, Double> m = honest.metrics(i);
                m.keySet().removeIf(k -> !k.startsWith("warpstats_") || k.contains("rejected") || k.contains("penalties"));
                System.out.printf("%s: node %d did not converge; its metrics: %s%n", scenario, i, m);
                System.out.printf("%s: node %d: %s%n", scenario, i, honest.get(i, "/v1/node"));
                for (String post : expected.keySet()) {
                    System.out.printf("%s: node %d likers of %s: %s%n", scenario, i, post, honest.get(i, "/v1/posts/" + post + "/likers?limit=100"));
                }
            }
            throw e;
        }
        honest.assertAlive();
        List<Map<String, Double>> after = metrics();
        for (int i = 0; i < after.size(); i++) {
            long heap = HonestCluster.heapUsed(after.get(i));
            assertThat(heap).as("heap of honest node %d", i).isPositive().isLessThan(512L << 20);
            System.out.printf("%s: node %d heap %d MB; totals exact %d ms after the last write%n", scenario, i, heap >> 20, took.toMillis());
        }
        return after;
    }

    /** The metrics of every honest node before and after a scenario. */
    private record Deltas(List<Map<String, Double>> before, List<Map<String, Double>> after) {
        double of(int node, String sample) {
            return delta(before.get(node), after.get(node), sample);
        }
    }

    /**
     * Honest writes before, during (after the hostile node's {@code firstEvent}) and after the
     * misbehaviour; then exact totals everywhere, the {@code untouched} posts at 0.
     */
    private Deltas misbehaving(HostileProcess h, String scenario, String firstEvent, List<String> untouched) throws Exception {
        String post = "h-" + scenario;
        List<Map<String, Double>> before = metrics();
        honestWrites(post);
        h.go();
        h.await(firstEvent, DONE);
        honestWrites(post);
        System.out.println(scenario + ": " + h.await("done", DONE));
        honestWrites(post);
        for (String p : untouched) expected.put(p, List.of(0L, 0L, 0L, 0L));
        return new Deltas(before, convergedAndHealthy(scenario));
    }

    @Test
    void aForgerOfAnotherNodesCounterSlotIsRejectedAndBanned() throws Exception {
        try (HostileProcess h = hostile("forge")) {
            Deltas d = misbehaving(h, "forge", "event forged", List.of(Forger.POST));
            for (int i = 0; i < honest.size(); i++) {
                assertThat(d.of(i, "warpstats_crdt_rejected_total{reason=\"unauthorized\"}"))
                        .as("node %d rejected forged blocks as unauthorized", i).isGreaterThanOrEqualTo(2);
                assertThat(d.of(i, "warpstats_sync_penalties_total{offense=\"rejected_block\"}"))
                        .as("node %d charged the forger", i).isGreaterThanOrEqualTo(2);
                assertThat(d.of(i, "warpstats_peers_bans_total")).as("node %d banned the forger", i).isEqualTo(1);
                String log = honest.log(i);
                assertThat(log).as("node %d banned it once", i).containsOnlyOnce("banning peer " + h.peerId());
                assertThat(log.split("gate refused peer " + h.peerId(), -1).length - 1)
                        .as("node %d does not keep dialing the banned forger (a dial under way when the ban began may be refused)", i)
                        .isLessThanOrEqualTo(2);
            }
        }
    }

    @Test
    void aServerOfBlocksThatDoNotMatchTheirCidIsPenalizedAndBanned() throws Exception {
        try (HostileProcess h = hostile("corrupt")) {
            List<String> untouched = new ArrayList<>();
            for (int p = 0; p < CorruptServer.POSTS; p += 21) untouched.add(CorruptServer.POST_PREFIX + p);
            Deltas d = misbehaving(h, "corrupt", "event wrote", untouched);
            for (int i = 0; i < honest.size(); i++) {
                assertThat(d.of(i, "warpstats_sync_penalties_total{offense=\"wrong_block\"}"))
                        .as("node %d charged the corrupt server", i).isGreaterThanOrEqualTo(2);
                assertThat(d.of(i, "warpstats_peers_bans_total")).as("node %d banned it", i).isEqualTo(1);
            }
        }
    }

    @Test
    void aReplayerOfOldBlocksAndAnnouncementsChangesNothingAndIsGraylisted() throws Exception {
        String post = "h-replay";
        try (HostileProcess h = hostile("replay")) {
            honestWrites(post);
            honest.unlike(0, post, "u0w" + wave); // a like, then its removal: replaying the like's block must not bring it back
            List<Long> e = expected.get(post);
            expected.put(post, List.of(e.get(0) - 1, 0L, 0L, e.get(3)));
            honestWrites(post);
            h.await("event captured 4", DONE);
            honest.awaitTotals(expected, CONVERGE);
            List<Map<String, Double>> before = metrics();
            h.go();
            h.await("event replayed-valid", DONE);
            honestWrites(post);
            System.out.println("replay: " + h.await("done", DONE));
            honestWrites(post);
            List<Map<String, Double>> after = convergedAndHealthy("replay");
            double invalidMost = 0;
            for (int i = 0; i < honest.size(); i++) {
                double invalid = delta(before.get(i), after.get(i), "warpstats_pubsub_messages_total{outcome=\"invalid\"}");
                double graylisted = delta(before.get(i), after.get(i), "warpstats_pubsub_messages_total{outcome=\"graylisted\"}");
                // a foreign replay with a new sequence number fails its signature check (invalid), or is not read at all
                // once the replayer is graylisted: which comes first on a node depends on when its score crossed
                assertThat(invalid + graylisted).as("node %d dropped the foreign replays with a new sequence number", i).isGreaterThanOrEqualTo(3);
                assertThat(graylisted).as("node %d graylisted the replayer", i).isPositive();
                assertThat(delta(before.get(i), after.get(i), "warpstats_crdt_rejected_total{reason=\"malformed\"}")).isZero();
                invalidMost = Math.max(invalidMost, invalid);
            }
            assertThat(invalidMost).as("the signature check of the foreign replays, on some node").isGreaterThanOrEqualTo(3);
        }
    }

    @Test
    void aDagAMillionBlocksDeepIsRejectedAtItsHead() throws Exception {
        try (HostileProcess h = hostile("deep")) {
            System.out.println("deep: " + h.seen.stream().filter(l -> l.startsWith("event chain")).findFirst().orElse("?"));
            Deltas d = misbehaving(h, "deep", "event announced", List.of(DeepChain.POST));
            for (int i = 0; i < honest.size(); i++) {
                assertThat(d.of(i, "warpstats_crdt_rejected_total{reason=\"unsigned\"}")).as("node %d rejected the chain's head", i).isPositive();
                assertThat(d.of(i, "warpstats_sync_penalties_total{offense=\"rejected_block\"}")).as("node %d charged the deep node", i).isPositive();
                double fetched = d.of(i, "warpstats_sync_blocks_total{side=\"client\"}");
                System.out.printf("deep: node %d received %.0f blocks by sync%n", i, fetched);
                assertThat(fetched).as("node %d did not walk the chain", i).isLessThan(10_000);
            }
        }
    }

    @Test
    void aFloodOfAnnouncementsIsGraylistedWhileHonestNodesConverge() throws Exception {
        String post = "h-flood";
        try (HostileProcess h = hostile("flood")) {
            List<Map<String, Double>> before = metrics();
            honestWrites(post);
            long[] peakHeap = new long[honest.size()];
            HostileProcess.Probe heap = () -> {
                for (int i = 0; i < honest.size(); i++) peakHeap[i] = Math.max(peakHeap[i], HonestCluster.heapUsed(honest.metrics(i)));
            };
            h.go();
            for (int r = 0; r < 3; r++) honestWrites(post);
            String rate = h.await("event flooded rate", DONE, heap);
            System.out.println("flood: " + rate);
            // the flooder aims at 100,000 a second; what it reaches is what the honest nodes read (Yamux flow control)
            assertThat(Long.parseLong(rate.split(" ")[3])).as("announcements sent").isGreaterThanOrEqualTo(40_000);
            honestWrites(post);
            System.out.println("flood: " + h.await("event flooded large", DONE, heap));
            h.await("done", DONE, heap);
            honestWrites(post);
            List<Map<String, Double>> after = convergedAndHealthy("flood");
            for (int i = 0; i < honest.size(); i++) {
                Map<String, Double> b = before.get(i), a = after.get(i);
                System.out.printf("flood: node %d peak heap sampled %d MB; delivered %.0f invalid %.0f duplicate %.0f graylisted RPCs %.0f shed %.0f%n",
                        i, peakHeap[i] >> 20, delta(b, a, "warpstats_pubsub_messages_total{outcome=\"delivered\"}"),
                        delta(b, a, "warpstats_pubsub_messages_total{outcome=\"invalid\"}"),
                        delta(b, a, "warpstats_pubsub_messages_total{outcome=\"duplicate\"}"),
                        delta(b, a, "warpstats_pubsub_messages_total{outcome=\"graylisted\"}"),
                        delta(b, a, "warpstats_pubsub_messages_total{outcome=\"shed\"}"));
                assertThat(peakHeap[i]).as("node %d heap during the flood", i).isLessThan(512L << 20);
                // whichever reaches a node first gets the flooder graylisted: its forged signatures (P4 for invalid
                // messages) or its validly signed announcements over the per-author rate limit (ignored, then
                // rejected: P4, and charged FLOOD); the graylist then drops the rest unread
                double invalid = delta(b, a, "warpstats_pubsub_messages_total{outcome=\"invalid\"}");
                double flood = delta(b, a, "warpstats_sync_penalties_total{offense=\"flood\"}");
                System.out.printf("flood: node %d penalties rate_limited %.0f flood %.0f%n", i,
                        delta(b, a, "warpstats_sync_penalties_total{offense=\"rate_limited\"}"), flood);
                assertThat(invalid >= 3 || flood > 0).as("node %d: invalid %.0f, flood penalties %.0f", i, invalid, flood).isTrue();
                assertThat(delta(b, a, "warpstats_pubsub_messages_total{outcome=\"graylisted\"}")).as("node %d", i).isPositive();
            }
        }
    }
}
