package io.warpstats.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * The demo's users and their actions, sent to the nodes' HTTP API, and the exact totals they must add up to.
 *
 * <p>Users have a home node (user {@code u} belongs to worker {@code u % slots}, which acts through one
 * node), as users of a real network do, so each node's local rules (no double like, un-like only after a like) apply to all of a
 * user's actions. Posts are drawn from a Zipf distribution (s = 1.1). A {@link Mode#MIXED} action is 60 %
 * views, 22 % likes, 10 % retweets, 5 % un-likes, 3 % replies; its request must succeed (any failure is a
 * {@link DemoFailure}). A {@link Mode#RETRYABLE} action is a first like or first retweet of a user on a
 * post, or a reply with a new id: if its request fails (its node was killed, say) it is sent again to the
 * same node until it is answered, and "already done" (409) then means the first request was applied — so
 * each is counted exactly once whatever the failure was. Views and un-likes are never sent where a
 * request may fail: a view's retry cannot tell whether the first one counted.
 *
 * <p>Thread-safety: each user belongs to one worker thread, so the per-user state is touched by one
 * thread; the expected totals are atomic.
 */
final class DemoWorkload {
    static final ObjectMapper JSON = new ObjectMapper();
    /** One request's bound. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
    /** The longest a retryable action keeps being retried (its node must be back by then). */
    static final Duration RETRY_DEADLINE = Duration.ofSeconds(60);

    enum Mode { MIXED, RETRYABLE }

    /** What became of a retryable request that failed at first. */
    enum Resolution { APPLIED_ON_RETRY, APPLIED_BEFORE_FAILURE }

    /** A request that should not have failed, or an answer the workload did not expect. */
    static final class DemoFailure extends RuntimeException {
        DemoFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    final int users;
    final int posts;
    final int slots;
    private final double[] zipf;
    final AtomicLongArray likes;
    final AtomicLongArray retweets;
    final AtomicLongArray replies;
    final AtomicLongArray views;
    final AtomicLong done = new AtomicLong();
    final AtomicLong retried = new AtomicLong();
    final AtomicLong appliedBeforeFailure = new AtomicLong();
    private final boolean[][] liked;
    private final boolean[][] retweeted;
    private final AtomicLong replyIds = new AtomicLong();

    /**
     * @param slots the workers: user {@code u} belongs to worker {@code u % slots}, which acts through
     *              one node only (its home node), so a user's state has one thread
     */
    DemoWorkload(int users, int posts, int slots) {
        if (users < slots) throw new IllegalArgumentException("fewer users than workers");
        this.users = users;
        this.posts = posts;
        this.slots = slots;
        likes = new AtomicLongArray(posts);
        retweets = new AtomicLongArray(posts);
        replies = new AtomicLongArray(posts);
        views = new AtomicLongArray(posts);
        liked = new boolean[users][];
        retweeted = new boolean[users][];
        zipf = new double[posts];
        double sum = 0;
        for (int i = 0; i < posts; i++) zipf[i] = sum += 1 / Math.pow(i + 1, 1.1);
        for (int i = 0; i < posts; i++) zipf[i] /= sum;
    }

    /** One action of a user of {@code slot} (users {@code u} with {@code u % slots == slot}) through {@code node}. */
    void act(DemoNode node, int slot, Random rnd, Mode mode) {
        act(node, slot, rnd, mode, null);
    }

    /**
     * One action; with {@code whileInFlight}, that is run right after the request is sent (the demo kills
     * the node there) and the action must be {@link Mode#RETRYABLE}. Returns how a failed first request
     * was resolved, or {@code null} if it did not fail.
     */
    Resolution act(DemoNode node, int slot, Random rnd, Mode mode, Runnable whileInFlight) {
        int user = slot + slots * rnd.nextInt((users - slot + slots - 1) / slots);
        int post = post(rnd.nextDouble());
        if (liked[user] == null) {
            liked[user] = new boolean[posts];
            retweeted[user] = new boolean[posts];
        }
        String p = "/v1/posts/post-" + post;
        String body = "{\"userId\":\"user-" + user + "\"}";
        double r = rnd.nextDouble();
        Resolution res = null;
        if (mode == Mode.RETRYABLE) {
            if (r < 0.70 && !liked[user][post]) {
                res = retryable(node, post(p + "/likes", body), whileInFlight);
                liked[user][post] = true;
                likes.incrementAndGet(post);
            } else if (r < 0.95 && !retweeted[user][post]) {
                res = retryable(node, post(p + "/retweets", body), whileInFlight);
                retweeted[user][post] = true;
                retweets.incrementAndGet(post);
            } else {
                res = retryable(node, reply(p, user), whileInFlight);
                replies.incrementAndGet(post);
            }
        } else if (r < 0.60) {
            expect(node, post(p + "/views", body), 200);
            views.incrementAndGet(post);
        } else if (r < 0.82 || (r < 0.87 && !liked[user][post])) {
            if (!liked[user][post]) {
                expect(node, post(p + "/likes", body), 201);
                liked[user][post] = true;
                likes.incrementAndGet(post);
            } else {
                expect(node, post(p + "/views", body), 200);
                views.incrementAndGet(post);
            }
        } else if (r < 0.87) {
            expect(node, new Call("DELETE", p + "/likes/user-" + user, null), 200);
            liked[user][post] = false;
            likes.decrementAndGet(post);
        } else if (r < 0.97 && !retweeted[user][post]) {
            expect(node, post(p + "/retweets", body), 201);
            retweeted[user][post] = true;
            retweets.incrementAndGet(post);
        } else {
            expect(node, reply(p, user), 201);
            replies.incrementAndGet(post);
        }
        done.incrementAndGet();
        return res;
    }

    /** One HTTP request of an action; {@code json} null for a request without body. */
    private record Call(String method, String path, String json) {
        HttpRequest request(DemoNode node) {
            HttpRequest.Builder b = HttpRequest.newBuilder(node.url(path)).timeout(REQUEST_TIMEOUT);
            if (json == null) return b.method(method, HttpRequest.BodyPublishers.noBody()).build();
            return b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json)).build();
        }
    }

    private Call reply(String p, int user) {
        String id = "reply-" + user + "-" + replyIds.incrementAndGet();
        return post(p + "/replies", "{\"userId\":\"user-" + user + "\",\"replyId\":\"" + id + "\"}");
    }

    private static Call post(String path, String json) {
        return new Call("POST", path, json);
    }

    private void expect(DemoNode node, Call call, int status) {
        HttpRequest req = call.request(node);
        HttpResponse<String> r;
        try {
            r = node.client().send(req, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new DemoFailure(node.name + " failed " + req.method() + " " + req.uri().getPath() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DemoFailure("interrupted", e);
        }
        if (r.statusCode() != status) {
            throw new DemoFailure(node.name + " answered " + req.method() + " " + req.uri().getPath() + " with " + r.statusCode()
                    + " (expected " + status + "): " + r.body(), null);
        }
    }

    /**
     * Sends until answered: 201 (applied now) or 409 (applied before: the earlier request that failed
     * went through). Connection failures are retried every 50 ms until {@link #RETRY_DEADLINE}.
     */
    private Resolution retryable(DemoNode node, Call call, Runnable whileInFlight) {
        long deadline = System.nanoTime() + RETRY_DEADLINE.toNanos();
        boolean failed = false;
        Throwable last = null;
        while (System.nanoTime() - deadline < 0) {
            if (Thread.currentThread().isInterrupted()) throw new DemoFailure("interrupted", null);
            HttpRequest req = call.request(node);
            HttpResponse<String> r;
            try {
                CompletableFuture<HttpResponse<String>> f = node.client().sendAsync(req, HttpResponse.BodyHandlers.ofString());
                if (whileInFlight != null) {
                    whileInFlight.run();
                    whileInFlight = null;
                }
                r = f.get(REQUEST_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                if (!failed) retried.incrementAndGet();
                failed = true;
                last = e.getCause() == null ? e : e.getCause();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DemoFailure("interrupted", e);
            }
            if (r.statusCode() == 201) return failed ? Resolution.APPLIED_ON_RETRY : null;
            if (r.statusCode() == 409 && failed) {
                appliedBeforeFailure.incrementAndGet();
                return Resolution.APPLIED_BEFORE_FAILURE;
            }
            throw new DemoFailure(node.name + " answered " + req.method() + " " + req.uri().getPath() + " with " + r.statusCode()
                    + ": " + r.body(), null);
        }
        throw new DemoFailure(node.name + " did not answer within " + RETRY_DEADLINE.toSeconds() + " s: " + last, last);
    }

    /** The node's totals of a post as likes/retweets/replies/views, all 0 if it knows nothing of it (404). */
    static long[] stats(DemoNode node, int post) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(node.url("/v1/posts/post-" + post + "/stats")).timeout(REQUEST_TIMEOUT).build();
        HttpResponse<String> r = node.client().send(req, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 404) return new long[4];
        if (r.statusCode() != 200) throw new IOException(node.name + " answered " + r.statusCode() + ": " + r.body());
        JsonNode j = JSON.readTree(r.body());
        return new long[] {j.path("likes").asLong(), j.path("retweets").asLong(), j.path("replies").asLong(), j.path("views").asLong()};
    }

    /** The expected totals of a post, as {@link #stats}. */
    long[] expected(int post) {
        return new long[] {likes.get(post), retweets.get(post), replies.get(post), views.get(post)};
    }

    private int post(double x) {
        int lo = 0;
        int hi = posts - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (zipf[mid] < x) lo = mid + 1; else hi = mid;
        }
        return lo;
    }
}
