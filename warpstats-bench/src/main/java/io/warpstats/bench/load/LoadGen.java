package io.warpstats.bench.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.warpstats.bench.cli.BenchCommandLine;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * HTTP load against one node: {@code --connections} keep-alive connections (one thread each, HTTP/1.1,
 * the JDK client), each sending its next request when the previous one is answered (a closed loop, like
 * {@code wrk}), for {@code --warmup} seconds unrecorded and then {@code --duration} seconds recorded. Each
 * request is drawn from {@code --mix}: a like of a random post by a random user, an unlike of a like this
 * connection made before (a like when it has none), an anonymous view of a random post, or a stats read of
 * a post this connection wrote recently (a random post when none). Prints a markdown table per operation:
 * acknowledged (2xx), failed (another status or a broken connection), timed out (no answer in
 * {@code --timeout-ms}), acknowledged per second, and the latency percentiles of every answered request;
 * {@code --json FILE} also writes them as JSON ({@code -}: stdout).
 *
 * <p>Limits: 1–4,096 connections, 1–3,600 s, a timeout of 1 ms–60 s; each connection remembers its last
 * 1,024 likes and 256 posts. Exit codes: 0 done (whatever the failures counted), 1 the run failed, 2 bad input.
 */
@Command(name = "LoadGen", mixinStandardHelpOptions = true, version = "warpstats 0.1.0", sortOptions = false, usageHelpAutoWidth = true,
        description = "HTTP load against one warpstats node: likes, unlikes, views and stats reads over keep-alive connections.")
public final class LoadGen implements Callable<Integer> {
    /** The operations of the mix. */
    enum Op { LIKE, UNLIKE, VIEW, READ }

    static final int REMEMBERED_LIKES = 1_024;
    static final int REMEMBERED_POSTS = 256;

    @Spec
    CommandSpec spec;

    @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", paramLabel = "URL", description = "The node's HTTP API (default: ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--connections", defaultValue = "64", paramLabel = "N", description = "Keep-alive connections, 1..4096 (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--duration", defaultValue = "10", paramLabel = "S", description = "Seconds recorded, 1..3600 (default: ${DEFAULT-VALUE}).")
    int duration;

    @Option(names = "--warmup", defaultValue = "2", paramLabel = "S", description = "Seconds of load before, not recorded, 0..600 (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--mix", defaultValue = "like=40,unlike=10,view=40,read=10", split = ",", paramLabel = "OP=W",
            description = "Weights of like, unlike, view and read (default: ${DEFAULT-VALUE}).")
    Map<String, Integer> mix;

    @Option(names = "--posts", defaultValue = "10000", paramLabel = "P", description = "Distinct posts, chosen uniformly (default: ${DEFAULT-VALUE}).")
    int posts;

    @Option(names = "--users", defaultValue = "1000000", paramLabel = "U", description = "Distinct users, chosen uniformly (default: ${DEFAULT-VALUE}).")
    int users;

    @Option(names = "--timeout-ms", defaultValue = "2000", paramLabel = "MS", description = "A request not answered in this time counts as timed out, 1..60000 (default: ${DEFAULT-VALUE}).")
    int timeoutMs;

    @Option(names = "--token", paramLabel = "T", description = "Bearer token of the node's HTTP API, if it has one.")
    @Nullable String token;

    @Option(names = "--seed", defaultValue = "14", paramLabel = "S", description = "Seed of the random choices (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON to FILE ('-': stdout).")
    @Nullable Path json;

    public static void main(String[] args) {
        System.exit(BenchCommandLine.execute(new LoadGen(), args));
    }

    @Override
    public Integer call() throws Exception {
        int[] weights = weights();
        check(connections >= 1 && connections <= 4096, "--connections must be 1..4096");
        check(duration >= 1 && duration <= 3600, "--duration must be 1..3600");
        check(warmup >= 0 && warmup <= 600, "--warmup must be 0..600");
        check(posts >= 1 && users >= 1, "--posts and --users must be positive");
        check(timeoutMs >= 1 && timeoutMs <= 60_000, "--timeout-ms must be 1..60000");
        URI base;
        try {
            base = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
            check(base.getScheme() != null && base.getScheme().startsWith("http") && base.getHost() != null, "--url must be http://HOST:PORT");
        } catch (IllegalArgumentException e) {
            throw BenchCommandLine.badInput(spec, "--url is not a URL: " + e.getMessage());
        }
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        long start = System.nanoTime();
        long measureFrom = start + Duration.ofSeconds(warmup).toNanos();
        long end = measureFrom + Duration.ofSeconds(duration).toNanos();
        ExecutorService threads = Executors.newFixedThreadPool(connections);
        LoadReport total = new LoadReport();
        try {
            List<Future<LoadReport>> runs = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                Connection conn = new Connection(http, base, new SplittableRandom(seed * 31 + c), weights);
                runs.add(threads.submit(() -> conn.run(measureFrom, end)));
            }
            for (Future<LoadReport> f : runs) {
                total.add(f.get());
            }
        } finally {
            threads.shutdownNow();
        }
        spec.commandLine().getOut().print(total.table(duration));
        spec.commandLine().getOut().flush();
        if (json != null) {
            Map<String, Object> settings = new LinkedHashMap<>();
            settings.put("url", url);
            settings.put("connections", connections);
            settings.put("duration", duration);
            settings.put("warmup", warmup);
            settings.put("mix", mix);
            settings.put("posts", posts);
            settings.put("users", users);
            settings.put("timeoutMs", timeoutMs);
            ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            Object doc = total.json(settings, duration);
            if (json.toString().equals("-")) {
                spec.commandLine().getOut().println(m.writeValueAsString(doc));
            } else {
                m.writeValue(json.toFile(), doc);
            }
        }
        return 0;
    }

    private int[] weights() {
        int[] w = new int[Op.values().length];
        for (Map.Entry<String, Integer> e : mix.entrySet()) {
            Op op;
            try {
                op = Op.valueOf(e.getKey().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException x) {
                throw BenchCommandLine.badInput(spec, "--mix: unknown operation '" + e.getKey() + "' (like, unlike, view, read)");
            }
            check(e.getValue() >= 0 && e.getValue() <= 1_000_000, "--mix: a weight must be 0..1000000");
            w[op.ordinal()] = e.getValue();
        }
        check(java.util.Arrays.stream(w).sum() > 0, "--mix: at least one weight must be positive");
        return w;
    }

    private void check(boolean ok, String message) {
        if (!ok) {
            throw BenchCommandLine.badInput(spec, message);
        }
    }

    /** One connection's closed loop and what it recorded. */
    private final class Connection {
        private final HttpClient http;
        private final URI base;
        private final SplittableRandom random;
        private final int[] weights;
        private final int weightSum;
        private final String[] liked = new String[REMEMBERED_LIKES]; // "post/user", a ring
        private int likedCount;
        private final String[] written = new String[REMEMBERED_POSTS];
        private long writtenCount;

        Connection(HttpClient http, URI base, SplittableRandom random, int[] weights) {
            this.http = http;
            this.base = base;
            this.random = random;
            this.weights = weights;
            this.weightSum = java.util.Arrays.stream(weights).sum();
        }

        LoadReport run(long measureFrom, long end) {
            LoadReport report = new LoadReport();
            while (true) {
                long t0 = System.nanoTime();
                if (t0 - end >= 0 || Thread.currentThread().isInterrupted()) return report;
                Op op = pick();
                String likedMember = null;
                HttpRequest.Builder b;
                String post;
                if (op == Op.UNLIKE && likedCount > 0) {
                    likedCount--;
                    likedMember = liked[likedCount];
                    int slash = likedMember.indexOf('/');
                    post = likedMember.substring(0, slash);
                    b = HttpRequest.newBuilder(base.resolve("/v1/posts/" + post + "/likes/" + likedMember.substring(slash + 1))).DELETE();
                } else if (op == Op.LIKE || op == Op.UNLIKE) {
                    op = Op.LIKE;
                    post = "p" + random.nextInt(posts);
                    likedMember = post + "/u" + random.nextInt(users);
                    b = HttpRequest.newBuilder(base.resolve("/v1/posts/" + post + "/likes")).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"userId\":\"" + likedMember.substring(post.length() + 1) + "\"}"));
                } else if (op == Op.VIEW) {
                    post = "p" + random.nextInt(posts);
                    b = HttpRequest.newBuilder(base.resolve("/v1/posts/" + post + "/views")).POST(HttpRequest.BodyPublishers.noBody());
                } else {
                    post = writtenCount == 0 ? "p" + random.nextInt(posts)
                            : written[(int) (random.nextLong(Math.min(writtenCount, REMEMBERED_POSTS)))];
                    b = HttpRequest.newBuilder(base.resolve("/v1/posts/" + post + "/stats")).GET();
                }
                if (token != null) b.header("Authorization", "Bearer " + token);
                b.timeout(Duration.ofMillis(timeoutMs));
                boolean recorded = t0 - measureFrom >= 0;
                LoadReport.Counts counts = report.of(op);
                try {
                    HttpResponse<Void> r = http.send(b.build(), HttpResponse.BodyHandlers.discarding());
                    long micros = (System.nanoTime() - t0) / 1_000;
                    boolean ok = r.statusCode() / 100 == 2;
                    if (recorded) {
                        counts.micros.recordValue(Math.min(micros, counts.micros.getHighestTrackableValue()));
                        if (ok) counts.acked++; else counts.failed++;
                    }
                    if (ok && op == Op.LIKE) {
                        liked[likedCount < REMEMBERED_LIKES ? likedCount++ : random.nextInt(REMEMBERED_LIKES)] = likedMember;
                    }
                    if (ok && op != Op.READ) written[(int) (writtenCount++ % REMEMBERED_POSTS)] = post;
                } catch (HttpTimeoutException e) {
                    if (recorded) counts.timedOut++;
                } catch (IOException e) {
                    if (recorded) counts.failed++;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return report;
                }
            }
        }

        private Op pick() {
            int r = random.nextInt(weightSum);
            for (Op op : Op.values()) {
                r -= weights[op.ordinal()];
                if (r < 0) return op;
            }
            throw new IllegalStateException();
        }
    }
}
