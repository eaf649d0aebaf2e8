package io.warpstats.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The dashboard's history: rates from counters, the ring's bound, peers' connected-since, last seen and bound. */
class DashboardHistoryTest {

    static NodeInfo info(long merges, double lag, long store, NodeInfo.Peer... peers) {
        return new NodeInfo("12D3KooWSelf", List.of(), List.of(peers), List.of(), store, merges, 0, lag);
    }

    @Test
    void ratesAreCounterDifferencesOverTheInterval() {
        DashboardHistory h = new DashboardHistory();
        h.sample(info(10, 0, 100), 1_000);
        for (int i = 0; i < 4; i++) h.recordWrite("like");
        h.recordWrite("unlike");
        h.recordWrite("view");
        h.recordWrite("reply");
        h.recordWrite("deleteReply");
        h.recordWrite("stats"); // a read: not a write
        h.sample(info(30, 1.5, 200), 3_000); // 2 s later
        List<DashboardHistory.Sample> s = h.samples();
        assertThat(s).hasSize(2);
        assertThat(s.get(0).writes()).containsExactly(0, 0, 0, 0);
        assertThat(s.get(1).writes()).containsExactly(2.5, 0, 1, 0.5);
        assertThat(s.get(1).merges()).isEqualTo(10);
        assertThat(s.get(1).syncLagSeconds()).isEqualTo(1.5);
        assertThat(s.get(1).storeBytes()).isEqualTo(200);
    }

    @Test
    void keepsTheLastTenMinutesOnly() {
        DashboardHistory h = new DashboardHistory();
        for (int i = 0; i < DashboardHistory.CAPACITY + 25; i++) h.sample(info(i, 0, i), i * 1000L);
        List<DashboardHistory.Sample> s = h.samples();
        assertThat(s).hasSize(DashboardHistory.CAPACITY);
        assertThat(s.get(0).timeMillis()).isEqualTo(25_000);
        assertThat(s.get(s.size() - 1).timeMillis()).isEqualTo((DashboardHistory.CAPACITY + 24) * 1000L);
        @SuppressWarnings("unchecked")
        var history = (java.util.Map<String, Object>) h.json().get("history");
        assertThat((long[]) history.get("time")).hasSize(DashboardHistory.CAPACITY);
        assertThat((double[]) history.get("views")).hasSize(DashboardHistory.CAPACITY);
    }

    @Test
    void peersKeepConnectedSinceAndLastSeen() {
        DashboardHistory h = new DashboardHistory();
        NodeInfo.Peer a = new NodeInfo.Peer("A", "/ip4/127.0.0.1/tcp/1", 0);
        NodeInfo.Peer b = new NodeInfo.Peer("B", "/ip4/127.0.0.1/tcp/2", -50);
        h.sample(info(0, 0, 0, a), 1_000);
        h.sample(info(0, 0, 0, a, b), 2_000);
        h.sample(info(0, 0, 0, b), 3_000);
        List<DashboardHistory.PeerHealth> ps = h.peers();
        assertThat(ps).extracting(DashboardHistory.PeerHealth::peerId).containsExactly("B", "A"); // connected first
        assertThat(ps.get(0)).isEqualTo(new DashboardHistory.PeerHealth("B", "/ip4/127.0.0.1/tcp/2", true, 2_000, 3_000, -50));
        assertThat(ps.get(1)).isEqualTo(new DashboardHistory.PeerHealth("A", "/ip4/127.0.0.1/tcp/1", false, 1_000, 2_000, 0));
        h.sample(info(0, 0, 0, a, b, b), 4_000); // A reconnects: a new connected-since; B has two connections, one row
        assertThat(h.samples().get(3).peers()).isEqualTo(2);
        assertThat(h.peers()).hasSize(2);
        assertThat(h.peers().get(0)).isEqualTo(new DashboardHistory.PeerHealth("A", "/ip4/127.0.0.1/tcp/1", true, 4_000, 4_000, 0));
    }

    @Test
    void remembersBoundedPeersForgettingTheLongestGoneFirst() {
        DashboardHistory h = new DashboardHistory();
        long t = 0;
        for (int i = 0; i < DashboardHistory.MAX_PEERS; i++) h.sample(info(0, 0, 0, new NodeInfo.Peer("gone-" + i, "x")), t += 1000);
        List<NodeInfo.Peer> many = new ArrayList<>();
        for (int i = 0; i < DashboardHistory.MAX_PEERS + 10; i++) many.add(new NodeInfo.Peer("now-" + i, "x"));
        h.sample(info(0, 0, 0, many.toArray(NodeInfo.Peer[]::new)), t + 1000);
        List<DashboardHistory.PeerHealth> ps = h.peers();
        assertThat(ps).hasSize(DashboardHistory.MAX_PEERS);
        assertThat(ps).allMatch(DashboardHistory.PeerHealth::connected); // every gone peer made room
        h.sample(info(0, 0, 0, new NodeInfo.Peer("late", "x")), t + 2000);
        assertThat(h.peers()).hasSize(DashboardHistory.MAX_PEERS).extracting(DashboardHistory.PeerHealth::peerId).contains("late");
    }
}
