package io.warpstats.stats;

import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.crdt.CrdtBroadcast;
import io.warpstats.crdt.MerkleCrdt;
import io.warpstats.crdt.store.KvStores;
import io.warpstats.multiformats.Cid;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Likes, retweets and replies are the sizes of add-wins observed-remove sets, on every node, under random
 * interleavings of like, unlike, retweet, unretweet, reply, reply delete and view through random nodes,
 * with partitions (both sides keep taking writes) and duplicated announcements.
 *
 * <p>The model is an OR-set per member with unique tags: a like adds a tag; an unlike removes the tags
 * that its node has observed; a group of connected nodes shares what it observed. The test checks that
 * each node accepts or refuses every action as the model says (a like is refused iff that node sees the
 * user as a liker), and that after healing every node reports, for every post, likes == the number of
 * likers it lists == the model's live members, the same for retweets and replies, and views == the views
 * sent.
 */
class SetSemanticsPropertiesTest {
    static final String[] POSTS = {"p0", "p1"};
    static final String[] USERS = {"u0", "u1", "u2"};

    /** One node: an engine on a memory store, its statistics on a local RocksDB. */
    static final class SimNode {
        final DefaultStatsService stats;
        final MerkleCrdt crdt;

        SimNode(Path dir, String id, Map<Cid, byte[]> blocks, List<CrdtBroadcast> outbox) {
            stats = (DefaultStatsService) StatsService.builder().localDatabase(dir).nodeId(id)
                    .flushInterval(Duration.ofHours(1)).open();
            crdt = MerkleCrdt.builder(KvStores.inMemory()).flushDelay(Duration.ofHours(1)).rebroadcastInterval(Duration.ZERO)
                    .view(stats.view())
                    .broadcaster(outbox::add)
                    .fetcher(cid -> {
                        byte[] b = blocks.get(cid);
                        return b != null ? CompletableFuture.completedFuture(b) : CompletableFuture.failedFuture(new IllegalStateException("unreachable"));
                    })
                    .build();
            stats.attach(crdt);
        }
    }

    /** The model's OR-set state as one node (or a connected group) has observed it. */
    static final class Observed {
        final Map<String, Set<Integer>> adds = new HashMap<>();
        final Set<Integer> removed = new HashSet<>();

        boolean present(String member) {
            for (int t : adds.getOrDefault(member, Set.of())) if (!removed.contains(t)) return true;
            return false;
        }

        void merge(Observed o) {
            o.adds.forEach((m, ts) -> adds.computeIfAbsent(m, k -> new HashSet<>()).addAll(ts));
            removed.addAll(o.removed);
        }
    }

    @Property(tries = 25)
    void everyNodeCountsTheMembersOfItsSets(@ForAll long seed, @ForAll @IntRange(min = 2, max = 3) int n,
                                            @ForAll @IntRange(min = 1, max = 60) int steps) throws IOException {
        Random rnd = new Random(seed);
        Path dir = Files.createTempDirectory("sets");
        List<SimNode> nodes = new ArrayList<>();
        Map<Cid, byte[]> blocks = new HashMap<>(); // every flushed block, fetchable by the nodes of a group
        List<List<CrdtBroadcast>> outboxes = new ArrayList<>();
        List<Observed> model = new ArrayList<>();
        int[] group = new int[n]; // partition: nodes with the same number are connected
        Map<String, Long> views = new HashMap<>();
        int[] tags = {0};
        try {
            for (int i = 0; i < n; i++) {
                List<CrdtBroadcast> out = new ArrayList<>();
                outboxes.add(out);
                nodes.add(new SimNode(dir.resolve("n" + i), "node" + i, blocks, out));
                model.add(new Observed());
            }
            for (int s = 0; s < steps; s++) {
                int x = rnd.nextInt(n);
                String post = POSTS[rnd.nextInt(POSTS.length)];
                String user = USERS[rnd.nextInt(USERS.length)];
                int kind = rnd.nextInt(10);
                if (kind == 9) { // re-partition: each node in group 0 or 1 (or everyone together)
                    boolean split = rnd.nextBoolean();
                    for (int i = 0; i < n; i++) group[i] = split ? rnd.nextInt(2) : 0;
                } else {
                    act(kind, nodes.get(x), model.get(x), post, user, rnd, tags, views);
                }
                sync(nodes, outboxes, blocks, model, group, rnd);
            }
            java.util.Arrays.fill(group, 0); // heal
            sync(nodes, outboxes, blocks, model, group, rnd);
            for (SimNode node : nodes) {
                for (String post : POSTS) {
                    long likers = model.get(0).adds.keySet().stream().filter(m -> m.startsWith(StatsKeys.likersPrefix(post)) && model.get(0).present(m)).count();
                    long retweets = model.get(0).adds.keySet().stream().filter(m -> m.startsWith("/retweeters/" + post + "/") && model.get(0).present(m)).count();
                    long replies = model.get(0).adds.keySet().stream().filter(m -> m.startsWith("/replies/" + post + "/") && model.get(0).present(m)).count();
                    PostStats ps;
                    try {
                        ps = node.stats.stats(post);
                    } catch (StatsException e) {
                        assertThat(likers + retweets + replies + views.getOrDefault(post, 0L)).as("unknown post %s", post).isZero();
                        continue;
                    }
                    assertThat(ps.likes()).as("likes of %s", post).isEqualTo(likers);
                    assertThat(node.stats.likers(post, null, 100).items()).as("likers of %s", post).hasSize((int) likers);
                    assertThat(ps.retweets()).as("retweets of %s", post).isEqualTo(retweets);
                    assertThat(ps.replies()).as("replies of %s", post).isEqualTo(replies);
                    assertThat(ps.views()).as("views of %s", post).isEqualTo(views.getOrDefault(post, 0L));
                }
            }
        } finally {
            for (SimNode node : nodes) {
                node.stats.close();
                node.crdt.close();
            }
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** One action through a node, checked against the model's verdict; the model records it if accepted. */
    private static void act(int kind, SimNode node, Observed seen, String post, String user, Random rnd, int[] tags,
                            Map<String, Long> views) {
        switch (kind) {
            case 0, 1 -> toggle(seen, StatsKeys.liker(post, user), true, () -> node.stats.like(post, user), tags);
            case 2 -> toggle(seen, StatsKeys.liker(post, user), false, () -> node.stats.unlike(post, user), tags);
            case 3 -> toggle(seen, StatsKeys.retweeter(post, user), true, () -> node.stats.retweet(post, user), tags);
            case 4 -> toggle(seen, StatsKeys.retweeter(post, user), false, () -> node.stats.unretweet(post, user), tags);
            case 5, 6 -> {
                String reply = "r" + rnd.nextInt(3);
                toggle(seen, StatsKeys.reply(post, reply), true, () -> node.stats.reply(post, user, reply), tags);
            }
            case 7 -> {
                String reply = "r" + rnd.nextInt(3);
                toggle(seen, StatsKeys.reply(post, reply), false, () -> node.stats.deleteReply(post, reply), tags);
            }
            default -> {
                node.stats.view(post, rnd.nextBoolean() ? user : null);
                views.merge(post, 1L, Long::sum);
            }
        }
    }

    private static void toggle(Observed seen, String member, boolean add, Runnable action, int[] tags) {
        boolean present = seen.present(member);
        boolean accepted;
        try {
            action.run();
            accepted = true;
        } catch (StatsException e) {
            accepted = false;
        }
        assertThat(accepted).as("%s %s (the node sees it %s)", add ? "add" : "remove", member, present ? "present" : "absent")
                .isEqualTo(add != present);
        if (!accepted) return;
        if (add) {
            seen.adds.computeIfAbsent(member, k -> new HashSet<>()).add(tags[0]++);
        } else {
            seen.removed.addAll(seen.adds.getOrDefault(member, Set.of()));
        }
    }

    /**
     * Every node flushes; announcements go to every node of the sender's group (some twice), which fetches
     * what it lacks from the blocks its group holds; the model's groups share what they observed.
     */
    private static void sync(List<SimNode> nodes, List<List<CrdtBroadcast>> outboxes, Map<Cid, byte[]> allBlocks,
                             List<Observed> model, int[] group, Random rnd) {
        for (int round = 0; round < 4; round++) {
            for (SimNode node : nodes) node.stats.drainOutbox(); // flush into the CRDT: announced
            for (int i = 0; i < nodes.size(); i++) {
                for (var h : nodes.get(i).crdt.heads()) {
                    allBlocks.put(h.cid(), nodes.get(i).crdt.replication().block(h.cid()).orElseThrow());
                }
            }
            for (int from = 0; from < nodes.size(); from++) {
                List<CrdtBroadcast> sent = new ArrayList<>(outboxes.get(from));
                outboxes.get(from).clear();
                for (int to = 0; to < nodes.size(); to++) {
                    if (to == from || group[to] != group[from]) continue;
                    for (CrdtBroadcast b : sent) {
                        int copies = rnd.nextInt(4) == 0 ? 2 : 1; // duplicates
                        for (int c = 0; c < copies; c++) nodes.get(to).crdt.replication().onBroadcast(b);
                    }
                }
            }
            for (SimNode node : nodes) node.crdt.replication().whenIdle().join();
            for (int i = 0; i < nodes.size(); i++) { // heads of a group are announced to all of it (a rebroadcast)
                for (int j = 0; j < nodes.size(); j++) {
                    if (i == j || group[i] != group[j]) continue;
                    for (var h : nodes.get(i).crdt.heads()) nodes.get(j).crdt.replication().onHead(h.cid());
                }
            }
            for (SimNode node : nodes) node.crdt.replication().whenIdle().join();
        }
        // the model: a connected group shares everything it observed
        for (int g = 0; g < 2; g++) {
            Observed union = new Observed();
            for (int i = 0; i < nodes.size(); i++) if (group[i] == g) union.merge(model.get(i));
            for (int i = 0; i < nodes.size(); i++) if (group[i] == g) model.get(i).merge(union);
        }
    }
}
