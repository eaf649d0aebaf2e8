package io.warpstats.crdt.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KvStoreTest {
    @TempDir
    Path dir;

    KvStore open(String kind) {
        return kind.equals("rocks") ? KvStores.rocksDb(dir.resolve("db")) : KvStores.inMemory();
    }

    static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "rocks"})
    void basicsScanBatchAndClose(String kind) {
        KvStore s = open(kind);
        s.put(b("/a/1"), b("x"));
        s.put(b("/a/2"), b("y"));
        s.put(b("/b/1"), b("z"));
        s.put(new byte[] {'/', 'a', (byte) 0xff}, b("high"));
        assertThat(s.get(b("/a/1"))).hasValueSatisfying(v -> assertThat(v).isEqualTo(b("x")));
        List<String> seen = new ArrayList<>();
        s.scan(b("/a/"), (k, v) -> seen.add(new String(k, UTF_8)) || true);
        assertThat(seen).containsExactly("/a/1", "/a/2");
        List<byte[]> all = new ArrayList<>();
        s.scan(b("/a"), (k, v) -> all.add(k));
        assertThat(all).hasSize(3);
        assertThat(all.get(2)[2]).isEqualTo((byte) 0xff); // unsigned order
        KvStore.Batch batch = s.newBatch();
        batch.delete(b("/a/1"));
        batch.put(b("/c"), b("w"));
        assertThat(batch.size()).isEqualTo(2);
        assertThat(s.get(b("/c"))).isEmpty();
        s.write(batch);
        assertThat(s.get(b("/a/1"))).isEmpty();
        assertThat(s.get(b("/c"))).isPresent();
        s.close();
        s.close();
        assertThatThrownBy(() -> s.get(b("/c"))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> s.scan(b("/"), (k, v) -> true)).isInstanceOf(IllegalStateException.class);
    }

    @org.junit.jupiter.api.Test
    void rocksPersistsAcrossReopen() {
        try (KvStore s = KvStores.rocksDb(dir.resolve("p"))) {
            s.put(b("k"), b("v"));
        }
        try (KvStore s = KvStores.rocksDb(dir.resolve("p"))) {
            assertThat(s.get(b("k"))).isPresent();
        }
    }
}
