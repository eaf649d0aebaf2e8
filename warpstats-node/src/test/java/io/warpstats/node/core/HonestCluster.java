package io.warpstats.node.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.warpstats.node.cli.NodeProcessesTest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Honest {@code warpstats node} processes on 127.0.0.1 (the test classpath, {@value #HEAP} heap, a
 * JVM that exits on {@link OutOfMemoryError}), each bootstrapping from the first, driven and read
 * over HTTP: writes, statistics and {@code /metrics}.
 */
final class HonestCluster implements AutoCloseable {
    static final String HEAP = "512m";
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][\\w:]*(?:\\{[^}]*\\})?) ([-+0-9.eE]+|NaN)$", Pattern.MULTILINE);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Process> processes = new ArrayList<>();
    final List<String> addresses = new ArrayList<>();
    final List<String> urls = new ArrayList<>();
    final Path root;

    HonestCluster(Path root, int n) throws Exception {
        this.root = root;
        Path config = root.resolve("node.properties");
        // register-delay-ms=0: every honest write is announced with its flush, as the hostile phases' counters expect
        // (with the default delay the honest views reach the CRDT a second later, across the phases' snapshots)
        Files.writeString(config, "flush-delay-ms=10\nrebroadcast-interval-ms=1000\nreconnect-min-ms=100\nreconnect-max-ms=1000\n"
                + "maintenance-interval-ms=100\nregister-delay-ms=0\n");
        try {
            for (int i = 0; i < n; i++) {
                int port = NodeProcessesTest.freePort();
                List<String> extra = new ArrayList<>(List.of("--config", config.toString()));
                if (i > 0) extra.addAll(List.of("--bootstrap", addresses.get(0)));
                processes.add(NodeProcessesTest.startWithHeap(root.resolve("n" + i), port, HEAP, extra.toArray(String[]::new)));
                addresses.add(NodeProcessesTest.firstLine(processes.get(i)));
                urls.add("http://127.0.0.1:" + port);
            }
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    /** The peer id of node {@code i}. */
    String peerId(int i) {
        String a = addresses.get(i);
        return a.substring(a.lastIndexOf('/') + 1);
    }

    int size() { return urls.size(); }

    /** One view of {@code post} through node {@code i}; the write must be acknowledged. */
    void view(int i, String post) throws Exception {
        assertThat(send(i, "POST", "/v1/posts/" + post + "/views", "{}")).as("view acknowledged").isEqualTo(200);
    }

    /** A like of {@code post} by {@code user} through node {@code i}; the write must be acknowledged. */
    void like(int i, String post, String user) throws Exception {
        assertThat(send(i, "POST", "/v1/posts/" + post + "/likes", "{\"userId\":\"" + user + "\"}")).as("like acknowledged").isEqualTo(201);
    }

    /** An unlike through node {@code i}; the write must be acknowledged. */
    void unlike(int i, String post, String user) throws Exception {
        assertThat(send(i, "DELETE", "/v1/posts/" + post + "/likes/" + user, null)).as("unlike acknowledged").isEqualTo(200);
    }

    private int send(int i, String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(urls.get(i) + path)).timeout(Duration.ofSeconds(20));
        b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** The statistics of {@code post} on node {@code i} ({@code likes, retweets, replies, views}); all 0 for an unknown post. */
    List<Long> stats(int i, String post) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(urls.get(i) + "/v1/posts/" + post + "/stats"))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 404) return List.of(0L, 0L, 0L, 0L);
        assertThat(r.statusCode()).as("stats of %s on node %d: %s", post, i, r.body()).isEqualTo(200);
        JsonNode j = JSON.readTree(r.body());
        return List.of(j.get("likes").asLong(), j.get("retweets").asLong(), j.get("replies").asLong(), j.get("views").asLong());
    }

    /**
     * Waits (at most {@code limit}) until every node reports exactly {@code expected} for every post.
     *
     * @return the time it took
     */
    Duration awaitTotals(Map<String, List<Long>> expected, Duration limit) throws Exception {
        long t0 = System.nanoTime();
        long deadline = t0 + limit.toNanos();
        for (int i = 0; i < size(); i++) {
            for (Map.Entry<String, List<Long>> e : expected.entrySet()) {
                while (true) {
                    List<Long> got = stats(i, e.getKey());
                    if (got.equals(e.getValue())) break;
                    assertThat(System.nanoTime()).as("node %d reports %s for %s (likes, retweets, replies, views); has %s",
                            i, e.getValue(), e.getKey(), got).isLessThan(deadline);
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // replication is asynchronous: a bounded poll of its result
                }
            }
        }
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    /** The body of {@code GET path} on node {@code i} (for diagnostics). */
    String get(int i, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(urls.get(i) + path)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Every sample of node {@code i}'s {@code /metrics}, by name with labels. */
    Map<String, Double> metrics(int i) throws IOException, InterruptedException {
        String body = http.send(HttpRequest.newBuilder(URI.create(urls.get(i) + "/metrics")).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Map<String, Double> m = new TreeMap<>();
        Matcher x = SAMPLE.matcher(body);
        while (x.find()) m.put(x.group(1), Double.parseDouble(x.group(2)));
        return m;
    }

    /** The heap in use on node {@code i} now: the sum of {@code jvm_memory_used_bytes} over the heap pools. */
    static long heapUsed(Map<String, Double> metrics) {
        return (long) metrics.entrySet().stream().filter(e -> e.getKey().startsWith("jvm_memory_used_bytes{area=\"heap\""))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    /** What node {@code i} logged so far (its stderr). */
    String log(int i) throws IOException {
        return Files.readString(root.resolve("n" + i + ".err"));
    }

    /** Fails unless every node process still runs. */
    void assertAlive() {
        for (int i = 0; i < processes.size(); i++) {
            assertThat(processes.get(i).isAlive()).as("honest node %d runs (stderr in %s)", i, root.resolve("n" + i + ".err")).isTrue();
        }
    }

    @Override
    public void close() {
        for (Process p : processes) p.destroy();
        for (Process p : processes) {
            try {
                if (!p.waitFor(20, TimeUnit.SECONDS)) p.destroyForcibly();
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
