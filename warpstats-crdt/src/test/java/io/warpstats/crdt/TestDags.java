package io.warpstats.crdt;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.warpstats.multiformats.Cid;
import io.warpstats.crdt.store.KvStore;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiPredicate;

/** Blocks and stores for the tests of the engine's mechanisms. */
final class TestDags {
    static final String DAG = "d";

    private TestDags() {}

    /** An unsigned block of {@link #DAG} putting {@code key} = {@code value}, linking to {@code links}. */
    static Block block(List<Cid> links, long priority, String key, String value) {
        return Block.of(links, new Delta(List.of(Element.of(key, value.getBytes(UTF_8))), List.of(), priority, DAG));
    }

    /** A block signed by {@code author} with {@link EngineTest#signer}'s scheme. */
    static Block signed(List<Cid> links, long priority, String key, String value, String author) {
        DeltaSigner s = EngineTest.signer(author);
        Delta d = new Delta(List.of(Element.of(key, value.getBytes(UTF_8))), List.of(), priority, DAG).withSignature(s.authorId(), new byte[0]);
        d = d.withSignature(s.authorId(), s.sign(d.signingPayload(links)));
        return Block.of(links, d);
    }

    /** Accepts the signatures of {@link EngineTest#signer}, except those of {@code bad}. */
    static DeltaVerifier verifier(String bad) {
        return (author, payload, signature) -> {
            String name = new String(author, UTF_8);
            if (name.equals(bad) || !java.util.Arrays.equals(EngineTest.signer(name).sign(payload), signature)) {
                throw new IllegalArgumentException("bad signature of " + name);
            }
            return name;
        };
    }

    /** A store whose batch writes fail while {@link #failing} is set (nothing of the batch is written). */
    static final class FaultyStore implements KvStore {
        final KvStore store;
        final AtomicBoolean failing = new AtomicBoolean();

        FaultyStore(KvStore store) {
            this.store = store;
        }

        @Override public Optional<byte[]> get(byte[] key) { return store.get(key); }
        @Override public void put(byte[] key, byte[] value) { store.put(key, value); }
        @Override public void delete(byte[] key) { store.delete(key); }
        @Override public void scan(byte[] prefix, BiPredicate<byte[], byte[]> visitor) { store.scan(prefix, visitor); }
        @Override public Batch newBatch() { return store.newBatch(); }
        @Override public void close() { store.close(); }
        @Override public long sizeOnDiskBytes() { return store.sizeOnDiskBytes(); }

        @Override
        public void write(Batch batch) {
            if (failing.get()) throw new IllegalStateException("disk full");
            store.write(batch);
        }
    }
}
