package io.warpstats.crdt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.crdt.store.KvStores;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Eager push: small new blocks travel inside the announcement and merge without a fetch. */
class EagerPushTest {
    @Test
    void aSmallBlockOnSharedHistoryMergesFromTheAnnouncementWithoutAFetch() {
        AtomicInteger fetches = new AtomicInteger();
        BlockFetcher none = cid -> {
            fetches.incrementAndGet();
            return CompletableFuture.failedFuture(new IllegalStateException("no fetch expected"));
        };
        List<CrdtBroadcast> sent = new ArrayList<>();
        try (MerkleCrdt b = EngineTest.manual(KvStores.inMemory()).fetcher(none).build();
             MerkleCrdt a = EngineTest.manual(KvStores.inMemory()).broadcaster(msg -> {
                 sent.add(msg);
                 b.replication().onBroadcast(msg);
             }).build()) {
            a.put("/k", "1".getBytes(UTF_8));
            a.flush().join();
            a.put("/k", "2".getBytes(UTF_8));
            a.put("/j", "x".getBytes(UTF_8));
            a.flush().join();
            assertThat(b.get("/k")).hasValueSatisfying(v -> assertThat(new String(v, UTF_8)).isEqualTo("2"));
            assertThat(b.get("/j")).isPresent();
            assertThat(b.heads()).isEqualTo(a.heads());
            assertThat(fetches).hasValue(0);
            byte[] wire = sent.get(sent.size() - 1).toBytes();
            CrdtBroadcast last = CrdtBroadcast.parse(wire);
            assertThat(last.blocks()).hasSize(1);
            // heads-only readers (go-ds-crdt) see the same heads: field 15 is skipped
            assertThat(new CrdtBroadcast(last.heads()).toBytes()).isEqualTo(java.util.Arrays.copyOf(wire, new CrdtBroadcast(last.heads()).toBytes().length));
        }
    }

    @Test
    void aPushedBlockWhoseLinksAreMissingIsFetchedAsUsual() {
        List<MerkleCrdt> peers = new ArrayList<>();
        MerkleCrdt a = EngineTest.manual(KvStores.inMemory()).build();
        peers.add(a);
        AtomicInteger fetches = new AtomicInteger();
        BlockFetcher f = cid -> {
            fetches.incrementAndGet();
            return EngineTest.from(peers).fetch(cid);
        };
        try (a; MerkleCrdt b = EngineTest.manual(KvStores.inMemory()).fetcher(f).build()) {
            a.put("/k", "1".getBytes(UTF_8));
            a.flush().join(); // not announced to b
            a.put("/k", "2".getBytes(UTF_8));
            a.flush().join();
            byte[] head = a.replication().block(a.heads().get(0).cid()).orElseThrow();
            b.replication().onBroadcast(new CrdtBroadcast(List.of(new CrdtBroadcast.Announced(a.heads().get(0).cid(), "")), List.of(head)));
            b.replication().whenIdle().join();
            assertThat(b.get("/k")).hasValueSatisfying(v -> assertThat(new String(v, UTF_8)).isEqualTo("2"));
            assertThat(b.heads()).isEqualTo(a.heads());
            assertThat(fetches.get()).isPositive();
        }
    }
}
