package io.warpstats.crdt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.multiformats.Cid;
import io.warpstats.crdt.store.KvStore;
import io.warpstats.crdt.store.KvStores;
import java.io.BufferedReader;
import java.io.DataOutputStream;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash safety, proved: a replica in a child JVM merges a large DAG and is killed with SIGKILL
 * at random moments (right after a random number of progress lines), restarted, killed again,
 * and finally allowed to finish; its store then holds exactly the state of a replica that never
 * crashed (every key of the CRDT namespace except the transient frontier and dirty flag).
 */
class CrashTest {
    @TempDir
    Path dir;

    @Test
    void sigkillAtRandomMomentsNeverChangesTheOutcome() throws Exception {
        long seed = Long.getLong("warpstats.crash.seed", System.nanoTime());
        Random rnd = new Random(seed);
        Map<Cid, byte[]> blocks = new HashMap<>();
        List<Cid> heads = buildDag(rnd, blocks);
        Path blocksFile = dir.resolve("blocks.bin"), headsFile = dir.resolve("heads.txt");
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(blocksFile))) {
            out.writeInt(blocks.size());
            for (byte[] b : blocks.values()) {
                out.writeInt(b.length);
                out.write(b);
            }
        }
        Files.write(headsFile, heads.stream().map(Cid::toString).toList());

        // the replica that never crashed
        KvStore refStore = KvStores.inMemory();
        MerkleCrdt ref = MerkleCrdt.builder(refStore).flushDelay(Duration.ZERO).rebroadcastInterval(Duration.ZERO)
                .fetcher(cid -> CompletableFuture.completedFuture(blocks.get(cid))).build();
        heads.forEach(ref.replication()::onHead);
        ref.replication().whenIdle().join();
        ref.close();
        Map<String, String> expected = dump(refStore);
        assertThat(expected.keySet().stream().filter(k -> k.startsWith("/CRDT/b/")).count()).isEqualTo(blocks.size());

        Path db = dir.resolve("db");
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        int kills = 0, runs = 0, retriedRuns = 0;
        boolean done = false;
        while (!done && runs < 40) {
            runs++;
            boolean mayKill = kills < 12 && System.nanoTime() < deadline;
            int killAfter = mayKill ? rnd.nextInt(blocks.size() / 3 + 1) : Integer.MAX_VALUE;
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                    CrashChild.class.getName(), db.toString(), blocksFile.toString(), headsFile.toString());
            pb.redirectError(dir.resolve("child-" + runs + ".err").toFile());
            Process p = pb.start();
            int fetches = 0;
            boolean started = false;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.equals("started")) started = true;
                    if (line.equals("fetch")) fetches++;
                    if (line.equals("DONE")) done = true;
                    if (line.startsWith("retried")) retriedRuns++;
                    if (line.startsWith("STUCK")) throw new AssertionError("child stuck: " + line);
                    if (started && fetches >= killAfter && !done) {
                        p.destroyForcibly();
                        kills++;
                        break;
                    }
                }
            }
            p.waitFor();
        }
        System.out.printf("crash test: seed %d, %d runs, %d kills, %d blocks, %d runs needed a rebroadcast retry%n",
                seed, runs, kills, blocks.size(), retriedRuns);
        assertThat(done).as("child finished (seed %d, runs %d)", seed, runs).isTrue();
        assertThat(retriedRuns).as("runs whose walk was not done at whenIdle (seed %d)", seed).isZero();
        assertThat(kills).as("kills").isGreaterThan(0);
        try (KvStore s = KvStores.rocksDb(db)) {
            Map<String, String> actual = dump(s);
            assertThat(actual.keySet().stream().filter(k -> k.startsWith("/CRDT/p/")).toList()).as("frontier left").isEmpty();
            assertThat(actual).as("state after %d kills, seed %d", kills, seed).isEqualTo(expected);
        }
    }

    /** Every store entry of the namespace except the frontier and the dirty flag (printable). */
    static Map<String, String> dump(KvStore s) {
        Map<String, String> m = new TreeMap<>();
        HexFormat hex = HexFormat.of();
        s.scan("/CRDT/".getBytes(UTF_8), (k, v) -> {
            String key = hex.formatHex(k);
            String printable = new String(k, UTF_8);
            if (!printable.startsWith("/CRDT/m/") && !printable.startsWith("/CRDT/p/")) m.put(printable + "#" + key, hex.formatHex(v));
            if (printable.startsWith("/CRDT/p/")) m.put(printable, "");
            return true;
        });
        return m;
    }

    /** Three writers with random puts/deletes on 40 keys and occasional syncs: branches and merges. */
    static List<Cid> buildDag(Random rnd, Map<Cid, byte[]> blocks) {
        List<MerkleCrdt> w = new ArrayList<>();
        BlockFetcher f = cid -> {
            for (MerkleCrdt x : w) {
                var b = x.replication().block(cid);
                if (b.isPresent()) return CompletableFuture.completedFuture(b.get());
            }
            return CompletableFuture.failedFuture(new IllegalStateException());
        };
        for (int i = 0; i < 3; i++) {
            w.add(MerkleCrdt.builder(KvStores.inMemory()).flushDelay(Duration.ZERO).rebroadcastInterval(Duration.ZERO).fetcher(f).build());
        }
        for (int i = 0; i < 1500; i++) {
            MerkleCrdt x = w.get(rnd.nextInt(3));
            int n = 1 + rnd.nextInt(4);
            for (int j = 0; j < n; j++) {
                String key = "/k/" + rnd.nextInt(40);
                if (rnd.nextInt(5) == 0) x.delete(key);
                else x.put(key, ("v" + i + "-" + j).getBytes(UTF_8));
            }
            x.flush().join();
            if (rnd.nextInt(8) == 0) {
                MerkleCrdt y = w.get(rnd.nextInt(3));
                if (y != x) x.heads().forEach(h -> y.replication().onHead(h.cid()));
            }
        }
        List<Cid> heads = new ArrayList<>();
        for (MerkleCrdt x : w) {
            for (Head h : x.heads()) {
                heads.add(h.cid());
                EngineTest.collect(x, h.cid(), blocks);
            }
        }
        return heads;
    }
}
