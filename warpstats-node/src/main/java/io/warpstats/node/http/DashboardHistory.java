package io.warpstats.node.http;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * The node's recent past, as the dashboard draws it: one {@link Sample} per {@link #sample} call (the
 * HTTP API calls it once a second), the last {@value #CAPACITY} of them (ten minutes) in a ring buffer,
 * and the health of the peers connected now or recently.
 *
 * <p>A sample holds the writes per second accepted by this node's API by kind (likes = like and
 * un-like, retweets = retweet and un-retweet, replies = reply and delete, views), blocks merged per
 * second, the sync lag, the connected peers and the store size on disk. Rates are the counters'
 * differences over the time between two samples; the first sample's rates are 0.
 *
 * <p>Peers: the time a peer was first sampled connected (its "connected since", exact to a sampling
 * interval), the last sample it was connected in, its sync penalty score (0 = clean; banned at the
 * penalty gate's threshold). At most {@value #MAX_PEERS} peers are remembered: past that the
 * disconnected peer seen longest ago is forgotten first, and connected peers beyond the bound are left
 * out of the list.
 *
 * <p>Memory is bounded by {@link #CAPACITY} samples and {@link #MAX_PEERS} peers whatever the node
 * does. Thread-safe: {@link #recordWrite} is lock-free (request threads); {@link #sample} and the
 * readers take this object's lock.
 */
final class DashboardHistory {
    /** Samples kept: ten minutes at one a second. */
    static final int CAPACITY = 600;
    /** Peers remembered (connected or recently seen). */
    static final int MAX_PEERS = 64;

    /** The kinds of writes, in the order of {@link Sample#writes()}. */
    static final List<String> KINDS = List.of("likes", "retweets", "replies", "views");

    /**
     * One second of the node.
     *
     * @param timeMillis     wall-clock time of the sample
     * @param writes         writes per second accepted by the API, by {@link #KINDS}
     * @param merges         blocks merged per second
     * @param syncLagSeconds the node's sync lag when sampled
     * @param peers          connected peers when sampled (distinct peer ids)
     * @param storeBytes     store size on disk when sampled
     */
    record Sample(long timeMillis, double[] writes, double merges, double syncLagSeconds, int peers, long storeBytes) {}

    /** What the dashboard shows of one peer. */
    record PeerHealth(String peerId, String address, boolean connected, long connectedSinceMillis, long lastSeenMillis,
                      int score) {}

    private final LongAdder[] written = new LongAdder[KINDS.size()];
    private final Sample[] ring = new Sample[CAPACITY];
    private int next;
    private int size;
    private long[] lastWrites;
    private long lastMerges;
    private long lastTime;
    private final Map<String, PeerHealth> peers = new HashMap<>();

    DashboardHistory() {
        for (int i = 0; i < written.length; i++) written[i] = new LongAdder();
    }

    /** Counts a write this node's API accepted; {@code operation} as in the operations meter (others are ignored). */
    void recordWrite(String operation) {
        int kind = switch (operation) {
            case "like", "unlike" -> 0;
            case "retweet", "unretweet" -> 1;
            case "reply", "deleteReply" -> 2;
            case "view" -> 3;
            default -> -1;
        };
        if (kind >= 0) written[kind].increment();
    }

    /** Takes a sample of {@code info} at {@code nowMillis} (called once a second by one thread). */
    synchronized void sample(NodeInfo info, long nowMillis) {
        long[] counts = new long[written.length];
        for (int i = 0; i < counts.length; i++) counts[i] = written[i].sum();
        double[] rates = new double[counts.length];
        double merges = 0;
        if (lastWrites != null && nowMillis > lastTime) {
            double secs = (nowMillis - lastTime) / 1000.0;
            for (int i = 0; i < counts.length; i++) rates[i] = Math.max(0, counts[i] - lastWrites[i]) / secs;
            merges = Math.max(0, info.merges() - lastMerges) / secs;
        }
        lastWrites = counts;
        lastMerges = info.merges();
        lastTime = nowMillis;
        int peerCount = (int) info.peers().stream().map(NodeInfo.Peer::peerId).distinct().count(); // two connections, one peer
        ring[next] = new Sample(nowMillis, rates, merges, info.syncLagSeconds(), peerCount, info.storeSizeBytes());
        next = (next + 1) % CAPACITY;
        size = Math.min(CAPACITY, size + 1);
        samplePeers(info, nowMillis);
    }

    private void samplePeers(NodeInfo info, long now) {
        Set<String> connected = new HashSet<>();
        for (NodeInfo.Peer p : info.peers()) connected.add(p.peerId());
        peers.replaceAll((id, h) -> h.connected() && !connected.contains(id) // gone since the last sample
                ? new PeerHealth(id, h.address(), false, h.connectedSinceMillis(), h.lastSeenMillis(), h.score()) : h);
        Set<String> done = new HashSet<>();
        for (NodeInfo.Peer p : info.peers()) {
            if (!done.add(p.peerId())) continue; // two connections to one peer: one row
            PeerHealth old = peers.get(p.peerId());
            if (old == null && peers.size() >= MAX_PEERS && !forgetOneDisconnected()) continue;
            long since = old != null && old.connected() ? old.connectedSinceMillis() : now;
            peers.put(p.peerId(), new PeerHealth(p.peerId(), p.address(), true, since, now, p.score()));
        }
    }

    private boolean forgetOneDisconnected() {
        PeerHealth oldest = null;
        for (PeerHealth h : peers.values()) {
            if (!h.connected() && (oldest == null || h.lastSeenMillis() < oldest.lastSeenMillis())) oldest = h;
        }
        if (oldest == null) return false;
        peers.remove(oldest.peerId());
        return true;
    }

    /** The samples, oldest first (at most {@link #CAPACITY}). */
    synchronized List<Sample> samples() {
        List<Sample> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) out.add(ring[(next - size + i + CAPACITY) % CAPACITY]);
        return out;
    }

    /** The remembered peers: connected ones first, each group by peer id. */
    synchronized List<PeerHealth> peers() {
        List<PeerHealth> out = new ArrayList<>(peers.values());
        out.sort(Comparator.comparing((PeerHealth h) -> !h.connected()).thenComparing(PeerHealth::peerId));
        return out;
    }

    /**
     * The dashboard's {@code history} (column arrays: {@code time} in ms, {@code likes}, {@code retweets},
     * {@code replies}, {@code views} and {@code merges} per second, {@code syncLagSeconds}, {@code peers},
     * {@code storeBytes}) and {@code peerHealth} fields.
     */
    Map<String, Object> json() {
        List<Sample> samples = samples();
        int n = samples.size();
        long[] time = new long[n];
        double[][] writes = new double[KINDS.size()][n];
        double[] merges = new double[n];
        double[] lag = new double[n];
        int[] peerCounts = new int[n];
        long[] store = new long[n];
        for (int i = 0; i < n; i++) {
            Sample s = samples.get(i);
            time[i] = s.timeMillis();
            for (int k = 0; k < writes.length; k++) writes[k][i] = hundredths(s.writes()[k]);
            merges[i] = hundredths(s.merges());
            lag[i] = hundredths(s.syncLagSeconds());
            peerCounts[i] = s.peers();
            store[i] = s.storeBytes();
        }
        Map<String, Object> history = new LinkedHashMap<>();
        history.put("intervalSeconds", 1);
        history.put("capacity", CAPACITY);
        history.put("time", time);
        for (int k = 0; k < writes.length; k++) history.put(KINDS.get(k), writes[k]);
        history.put("merges", merges);
        history.put("syncLagSeconds", lag);
        history.put("peers", peerCounts);
        history.put("storeBytes", store);
        List<Map<String, Object>> health = new ArrayList<>();
        for (PeerHealth h : peers()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("peerId", h.peerId());
            m.put("address", h.address());
            m.put("connected", h.connected());
            m.put("connectedSince", h.connectedSinceMillis());
            m.put("lastSeen", h.lastSeenMillis());
            m.put("score", h.score());
            health.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("history", history);
        out.put("peerHealth", health);
        return out;
    }

    private static double hundredths(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
