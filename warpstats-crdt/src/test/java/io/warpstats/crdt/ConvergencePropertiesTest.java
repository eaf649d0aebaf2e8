package io.warpstats.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.multiformats.Cid;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Convergence over random schedules of the simulated network: puts and deletes race on a few
 * keys across replicas while announcements are lost, duplicated and reordered and fetches fail.
 * After healing, every replica has the same heads and the same visible state, and that state is
 * the one an independent OR-set model computes from the set of all blocks:
 * live = all elements − all tombstoned ids; winner = highest (priority, unsigned value).
 * Add-wins is checked on the DAG: a tombstone only ever names an element of an ancestor block
 * (a delete removes only what its replica had observed), and priority = max(parent) + 1.
 */
class ConvergencePropertiesTest {

    @Property(tries = 1000)
    void replicasConvergeToTheOrSetState(@ForAll long seed, @ForAll @IntRange(min = 2, max = 4) int n,
                                         @ForAll @IntRange(min = 1, max = 120) int steps) {
        Random rnd = new Random(seed);
        SimNetwork net = new SimNetwork(n, rnd, rnd.nextDouble() * 0.5, rnd.nextDouble() * 0.3, rnd.nextDouble() * 0.3);
        try {
            for (int s = 0; s < steps; s++) {
                int r = rnd.nextInt(n);
                MerkleCrdt x = net.replicas.get(r);
                switch (rnd.nextInt(7)) {
                    case 0, 1 -> x.put("/k/" + rnd.nextInt(4), new byte[] {(byte) rnd.nextInt(256)});
                    case 2 -> x.delete("/k/" + rnd.nextInt(4));
                    case 3 -> x.flush().join();
                    case 4 -> net.deliverOne();
                    case 5 -> net.serveOne(false);
                    default -> {
                        if (rnd.nextBoolean()) x.replication().rebroadcast();
                        else if (!net.inTransit.isEmpty()) net.inTransit.remove(rnd.nextInt(net.inTransit.size()));
                    }
                }
            }
            net.heal();
            assertThat(net.converged()).as("converged").isTrue();
            Map<String, String> state0 = dump(net.replicas.get(0));
            for (MerkleCrdt x : net.replicas) assertThat(dump(x)).isEqualTo(state0);
            assertThat(state0).isEqualTo(model(net.replicas.get(0)));
        } finally {
            net.close();
        }
    }

    static Map<String, String> dump(MerkleCrdt c) {
        Map<String, String> m = new TreeMap<>();
        c.query("", (k, v) -> m.put(k, Arrays.toString(v)));
        return m;
    }

    /** The independent model: folds every block reachable from the heads. */
    static Map<String, String> model(MerkleCrdt c) {
        Map<Cid, Block> all = new HashMap<>();
        ArrayDeque<Cid> todo = new ArrayDeque<>();
        c.heads().forEach(h -> todo.add(h.cid()));
        while (!todo.isEmpty()) {
            Cid x = todo.poll();
            if (all.containsKey(x)) continue;
            Block b = Block.decode(c.replication().block(x).orElseThrow());
            all.put(x, b);
            todo.addAll(b.links());
        }
        Map<String, El> byId = new HashMap<>();
        Set<String> tombed = new HashSet<>();
        for (Block b : all.values()) {
            long parent = 0;
            for (Cid l : b.links()) parent = Math.max(parent, all.get(l).delta().priority());
            assertThat(b.delta().priority()).as("priority = max(parents) + 1").isEqualTo(parent + 1);
            for (Element e : b.delta().elements()) byId.put(e.key() + "\0" + ElementId.of(b.cid()), new El(e.key(), b.delta().priority(), e.value()));
            for (Element t : b.delta().tombstones()) {
                tombed.add(t.key() + "\0" + t.id());
                assertThat(t.id()).as("ids in go-ds-crdt's form").isEqualTo(ElementId.canonical(t.id()));
                assertThat(ancestors(all, b.cid())).as("a delete removes only observed elements").contains(ElementId.block(t.id()).orElseThrow());
            }
        }
        return visible(byId, tombed);
    }

    /** A model element: its key, priority and value. */
    record El(String key, long prio, byte[] value) {}

    /**
     * The model's visible state: per key, among the elements (by {@code key\0id}) not tombstoned, the highest
     * priority, then the larger value (unsigned bytes).
     */
    static Map<String, String> visible(Map<String, El> byId, Set<String> tombed) {
        Map<String, El> winners = new TreeMap<>();
        for (Map.Entry<String, El> e : byId.entrySet()) {
            if (tombed.contains(e.getKey())) continue;
            El el = e.getValue();
            El cur = winners.get(el.key());
            if (cur == null || el.prio() > cur.prio() || (el.prio() == cur.prio() && Arrays.compareUnsigned(el.value(), cur.value()) > 0)) {
                winners.put(el.key(), el);
            }
        }
        Map<String, String> out = new TreeMap<>();
        winners.forEach((k, v) -> out.put(k, Arrays.toString(v.value())));
        return out;
    }

    static Set<Cid> ancestors(Map<Cid, Block> all, Cid from) {
        Set<Cid> seen = new HashSet<>();
        ArrayDeque<Cid> todo = new ArrayDeque<>(all.get(from).links());
        while (!todo.isEmpty()) {
            Cid x = todo.poll();
            if (seen.add(x)) todo.addAll(all.get(x).links());
        }
        return seen;
    }

}
