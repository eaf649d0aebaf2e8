package io.warpstats.crdt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warpstats.crdt.store.KvStore;
import io.warpstats.crdt.store.KvStores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * {@link MerkleCrdt#query(String, String, int, java.util.function.BiConsumer)}: paging through a
 * prefix gives exactly the visible state, in the store's (UTF-8 byte) order, whatever mix of
 * flushed and still-pending puts and deletes it is made of, on the real RocksDB store.
 */
class QueryPageTest {
    /** Keys chosen so that UTF-16 order and UTF-8 order disagree (U+FFFD vs U+1F600). */
    private static final String[] MEMBERS = {"a", "b", "c", "d", "e", "f", "\uFFFD", "\uD83D\uDE00", "zz", "ab"};

    @Property(tries = 60)
    void pagesConcatenateToTheVisibleState(@ForAll long seed, @ForAll @IntRange(min = 1, max = 4) int limit,
                                           @ForAll @IntRange(min = 1, max = 80) int steps) throws IOException {
        Random rnd = new Random(seed);
        Path dir = Files.createTempDirectory("query-page");
        try (KvStore store = KvStores.rocksDb(dir);
             MerkleCrdt c = EngineTest.manual(store).build()) {
            TreeMap<String, String> model = new TreeMap<>(Keys.UTF8_ORDER);
            for (int s = 0; s < steps; s++) {
                String k = "/set/" + MEMBERS[rnd.nextInt(MEMBERS.length)];
                switch (rnd.nextInt(5)) {
                    case 0, 1 -> {
                        String v = "v" + s;
                        c.put(k, v.getBytes(UTF_8));
                        model.put(k, v);
                    }
                    case 2 -> {
                        c.delete(k);
                        model.remove(k);
                    }
                    case 3 -> c.flush().join();
                    default -> c.put("/other/" + rnd.nextInt(3), new byte[] {1}); // outside the prefix
                }
            }
            List<String> paged = new ArrayList<>();
            String after = null;
            for (int page = 0; page <= MEMBERS.length + 1; page++) {
                List<String> got = new ArrayList<>();
                c.query("/set/", after, limit, (k, v) -> got.add(k + "=" + new String(v, UTF_8)));
                assertThat(got.size()).isLessThanOrEqualTo(limit);
                paged.addAll(got);
                if (got.size() < limit) break;
                String last = got.get(got.size() - 1);
                after = last.substring("/set/".length(), last.indexOf('='));
            }
            List<String> expected = model.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
            assertThat(paged).containsExactlyElementsOf(expected);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void aPageReadsOnlyWhatItNeedsFromTheStore() {
        int[] visited = {0};
        KvStore inner = KvStores.inMemory();
        KvStore counting = new KvStore() {
            public java.util.Optional<byte[]> get(byte[] key) { return inner.get(key); }
            public void put(byte[] key, byte[] value) { inner.put(key, value); }
            public void delete(byte[] key) { inner.delete(key); }
            public void scan(byte[] prefix, java.util.function.BiPredicate<byte[], byte[]> v) {
                inner.scan(prefix, (k, x) -> { visited[0]++; return v.test(k, x); });
            }
            public void scan(byte[] prefix, byte[] from, java.util.function.BiPredicate<byte[], byte[]> v) {
                inner.scan(prefix, from, (k, x) -> { visited[0]++; return v.test(k, x); });
            }
            public Batch newBatch() { return inner.newBatch(); }
            public void write(Batch b) { inner.write(b); }
            public void close() { inner.close(); }
            @Override
            public long sizeOnDiskBytes() { return inner.sizeOnDiskBytes(); }
        };
        try (MerkleCrdt c = EngineTest.manual(counting).build()) {
            for (int i = 0; i < 5_000; i++) c.put(String.format("/likers/p/u%05d", i), new byte[] {1});
            c.flush().join();
            c.delete("/likers/p/u00101");
            visited[0] = 0;
            List<String> page = new ArrayList<>();
            c.query("/likers/p/", "u00099", 3, (k, v) -> page.add(k));
            assertThat(page).containsExactly("/likers/p/u00100", "/likers/p/u00102", "/likers/p/u00103");
            assertThat(visited[0]).as("store keys read for one page of 3 with 1 pending delete").isLessThanOrEqualTo(5);
        }
        assertThatThrownBy(() -> {
            try (MerkleCrdt c = EngineTest.manual(KvStores.inMemory()).build()) {
                c.query("/", null, -1, (k, v) -> { });
            }
        }).isInstanceOf(IllegalArgumentException.class);
    }
}
