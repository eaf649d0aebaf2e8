package io.warpstats.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.warpstats.p2p.testing.Processes;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Acknowledged HTTP writes survive SIGKILL. A real node process takes likes, unlikes and views from 32
 * concurrent keep-alive clients (so they share group commits); once 1,500 writes are acknowledged it is
 * killed with SIGKILL while requests are in flight, restarted on the same data directory, and every
 * acknowledged write must be counted: each acknowledged like (not followed by an unlike sent) is among the
 * post's likers, no acknowledged unlike is, and each post's likes and views lie between what was
 * acknowledged and what was sent.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class KilledNodeDurabilityTest {
    static final int CLIENTS = 32;
    static final int KILL_AFTER_ACKS = 1_500;
    static final int POSTS = 4;
    static final ObjectMapper JSON = new ObjectMapper();

    /** What the clients sent and what the node acknowledged, per post. */
    static final class Ledger {
        final Set<String> likedAcked = ConcurrentHashMap.newKeySet(); // "post/user"
        final Set<String> unlikeSent = ConcurrentHashMap.newKeySet();
        final Set<String> unlikedAcked = ConcurrentHashMap.newKeySet();
        final Set<String> likeSent = ConcurrentHashMap.newKeySet();
        final AtomicLong[] viewsAcked = new AtomicLong[POSTS];
        final AtomicLong[] viewsSent = new AtomicLong[POSTS];
        final AtomicInteger acks = new AtomicInteger();
        final Set<String> refused = ConcurrentHashMap.newKeySet(); // answers other than success before the kill

        Ledger() {
            for (int i = 0; i < POSTS; i++) {
                viewsAcked[i] = new AtomicLong();
                viewsSent[i] = new AtomicLong();
            }
        }
    }

    @Test
    void everyAcknowledgedWriteIsCountedAfterSigkill() throws Exception {
        Path root = Files.createTempDirectory("warpstats-kill");
        Path data = root.resolve("node");
        int port = NodeProcessesTest.freePort();
        Process node = NodeProcessesTest.start(data, port);
        Ledger ledger = new Ledger();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        ExecutorService threads = Executors.newFixedThreadPool(CLIENTS);
        try {
            assertThat(NodeProcessesTest.firstLine(node)).contains("/p2p/");
            String url = "http://127.0.0.1:" + port;
            CountDownLatch enough = new CountDownLatch(1);
            List<CompletableFuture<Void>> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) clients.add(client(http, url, c, ledger, enough, threads));
            assertThat(enough.await(90, TimeUnit.SECONDS)).as("%d writes acknowledged in 90 s", KILL_AFTER_ACKS).isTrue();
            node.destroyForcibly(); // SIGKILL, with the clients' next requests in flight
            assertThat(node.waitFor(20, TimeUnit.SECONDS)).isTrue();
            CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            assertThat(ledger.refused).as("writes refused before the kill").isEmpty();

            int port2 = NodeProcessesTest.freePort();
            node = NodeProcessesTest.start(data, port2);
            assertThat(NodeProcessesTest.firstLine(node)).contains("/p2p/");
            assertCounted(http, "http://127.0.0.1:" + port2, ledger);
        } finally {
            threads.shutdownNow();
            Processes.stop(node);
        }
    }

    /**
     * One client, on its own thread: it sends until the kill (a failed request) or 400 requests (32 × 400 is
     * far more than 1,500). Users are unique per client, so a like is never refused as done.
     */
    static CompletableFuture<Void> client(HttpClient http, String url, int c, Ledger ledger, CountDownLatch enough,
                                          ExecutorService threads) {
        return CompletableFuture.runAsync(() -> {
            List<String> liked = new ArrayList<>();
            for (int n = 0; n < 400; n++) {
                int post = (c + n) % POSTS;
                String what;
                HttpRequest.Builder req;
                int op = n % 4;
                if (op == 3 && !liked.isEmpty()) {
                    String member = liked.remove(liked.size() - 1); // "post/user"
                    String[] pu = member.split("/");
                    what = "unlike " + member;
                    ledger.unlikeSent.add(member);
                    req = HttpRequest.newBuilder(URI.create(url + "/v1/posts/kp" + pu[0] + "/likes/" + pu[1])).DELETE();
                } else if (op == 1) {
                    what = "view " + post;
                    ledger.viewsSent[post].incrementAndGet();
                    req = HttpRequest.newBuilder(URI.create(url + "/v1/posts/kp" + post + "/views")).POST(HttpRequest.BodyPublishers.noBody());
                } else {
                    String user = "c" + c + "-" + n;
                    what = "like " + post + "/" + user;
                    ledger.likeSent.add(post + "/" + user);
                    req = HttpRequest.newBuilder(URI.create(url + "/v1/posts/kp" + post + "/likes"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"userId\":\"" + user + "\"}"));
                }
                HttpResponse<String> answer;
                try {
                    answer = http.send(req.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
                } catch (Exception e) {
                    return; // the node is gone: this request's outcome is unknown
                }
                if (answer.statusCode() >= 300) {
                    ledger.refused.add(what + ": " + answer.statusCode() + " " + answer.body());
                    return;
                }
                if (what.startsWith("like ")) {
                    String member = what.substring(5);
                    ledger.likedAcked.add(member);
                    liked.add(member);
                } else if (what.startsWith("unlike ")) {
                    ledger.unlikedAcked.add(what.substring(7));
                } else {
                    ledger.viewsAcked[post].incrementAndGet();
                }
                if (ledger.acks.incrementAndGet() >= KILL_AFTER_ACKS) enough.countDown();
            }
        }, threads);
    }

    static void assertCounted(HttpClient http, String url, Ledger ledger) throws Exception {
        for (int post = 0; post < POSTS; post++) {
            Set<String> mustBe = new HashSet<>();
            Set<String> mayBe = new HashSet<>();
            for (String m : ledger.likeSent) {
                if (!m.startsWith(post + "/")) continue;
                String user = m.substring(m.indexOf('/') + 1);
                boolean acked = ledger.likedAcked.contains(m);
                if (acked && !ledger.unlikeSent.contains(m)) mustBe.add(user);
                else if (!ledger.unlikedAcked.contains(m)) mayBe.add(user); // its like or its unlike is in doubt
            }
            // the outbox is replayed into the CRDT after the restart: wait (bounded) until it shows the likes
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            Set<String> likers;
            JsonNode stats;
            while (true) {
                stats = JSON.readTree(get(http, url + "/v1/posts/kp" + post + "/stats"));
                likers = likers(http, url, post);
                if (likers.containsAll(mustBe) && stats.path("likes").asLong() == likers.size()) break;
                assertThat(System.nanoTime() - deadline).as("post %d: likers %s, must contain %s", post, likers, mustBe).isNegative();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
            Set<String> unexpected = new HashSet<>(likers);
            unexpected.removeAll(mustBe);
            unexpected.removeAll(mayBe);
            assertThat(unexpected).as("post %d: likers neither acknowledged nor in doubt (an acknowledged unlike undone?)", post).isEmpty();
            long views = stats.path("views").asLong();
            assertThat(views).as("post %d views", post).isBetween(ledger.viewsAcked[post].get(), ledger.viewsSent[post].get());
        }
        assertThat(ledger.likedAcked).as("the load had likes").isNotEmpty();
        assertThat(ledger.unlikedAcked).as("the load had unlikes").isNotEmpty();
    }

    static Set<String> likers(HttpClient http, String url, int post) throws Exception {
        Set<String> out = new HashSet<>();
        String cursor = null;
        for (int page = 0; page < 100; page++) {
            JsonNode r = JSON.readTree(get(http, url + "/v1/posts/kp" + post + "/likers?limit=1000" + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8))));
            r.path("likers").forEach(u -> out.add(u.asText()));
            if (r.path("nextCursor").isNull() || r.path("nextCursor").isMissingNode()) return out;
            cursor = r.path("nextCursor").asText();
        }
        throw new AssertionError("more than 100 pages of likers");
    }

    static String get(HttpClient http, String uri) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %s: %s", uri, r.body()).isEqualTo(200);
        return r.body();
    }
}
