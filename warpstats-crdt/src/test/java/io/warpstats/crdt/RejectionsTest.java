package io.warpstats.crdt;

import static io.warpstats.crdt.TestDags.block;
import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.multiformats.Cid;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Rejections are remembered (bounded, eldest forgotten first), counted and reported; a faulty callback is contained. */
class RejectionsTest {
    @Test
    void remembersCountsAndReports() {
        List<RejectedBlockException> seen = new ArrayList<>();
        Rejections r = new Rejections(seen::add);
        Cid c = block(List.of(), 1, "/a", "1").cid();
        assertThat(r.contains(c)).isFalse();
        RejectedBlockException e = r.remember(c, RejectedBlockException.Reason.MALFORMED, "bad shape");
        assertThat(r.contains(c)).isTrue();
        assertThat(r.count()).isEqualTo(1);
        assertThat(seen).as("reported only on report").isEmpty();
        r.report(e);
        assertThat(seen).containsExactly(e);
        assertThat(e.cid()).isEqualTo(c);
        assertThat(e.getMessage()).contains("bad shape");
    }

    @Test
    void theEldestIsForgottenFirstAndTheCountKeepsEverything() {
        Rejections r = new Rejections(e -> {});
        List<Cid> cids = new ArrayList<>();
        for (int i = 0; i < Rejections.MAX_REMEMBERED + 5; i++) {
            Cid c = block(List.of(), 1, "/k" + i, "v").cid();
            cids.add(c);
            r.remember(c, RejectedBlockException.Reason.UNAUTHORIZED, "x");
        }
        assertThat(r.contains(cids.get(0))).isFalse();
        assertThat(r.contains(cids.get(4))).isFalse();
        assertThat(r.contains(cids.get(5))).isTrue();
        assertThat(r.contains(cids.get(cids.size() - 1))).isTrue();
        assertThat(r.count()).isEqualTo(Rejections.MAX_REMEMBERED + 5);
    }

    @Test
    void aFaultyCallbackIsContained() {
        Rejections r = new Rejections(e -> {
            throw new IllegalStateException("callback bug");
        });
        r.report(r.remember(block(List.of(), 1, "/a", "1").cid(), RejectedBlockException.Reason.BAD_SIGNATURE, "x")); // does not throw
        assertThat(r.count()).isEqualTo(1);
    }
}
