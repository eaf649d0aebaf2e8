package io.warpstats.bench.faults;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The clients: {@code clients} threads, each sending likes, unlikes, retweets, un-retweets, replies,
 * reply deletes and views to random ready nodes and recording each one in the {@link History}.
 *
 * <p>Each thread owns its users ({@code u{home}t{thread}k{k}}) and sends a user's likes and retweets
 * only to the user's home node, so the operations on one (user, post, stat) are sequential and the
 * checker can reason per user. A thread knows whether its user likes a post (from 2xx, 409 and 404
 * answers); after an indeterminate answer it never touches that (user, post, stat) again until the
 * home node's store is wiped (a new incarnation), so an operation still running on a node cannot be
 * reordered with a later one. A reply is deleted only on the node and incarnation that took it.
 *
 * <p>{@link #quiesce} stops every thread between two operations (each operation holds the read side
 * of a lock), so the nemesis can wipe a store with no operation in flight.
 */
final class Workload {
    private final List<NodeProcess> nodes;
    private final List<String> urls;
    private final String token;
    private final Scenario scenario;
    private final History history;
    private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock(true);
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stopped;

    Workload(List<NodeProcess> nodes, List<String> urls, String token, Scenario scenario, History history) {
        this.nodes = nodes;
        this.urls = urls;
        this.token = token;
        this.scenario = scenario;
        this.history = history;
    }

    static String post(int p) {
        return "post-" + p;
    }

    static String user(int home, int thread, int k) {
        return "u" + home + "t" + thread + "k" + k;
    }

    void start() {
        for (int t = 0; t < scenario.clients(); t++) {
            int id = t;
            Thread th = new Thread(() -> run(id), "faults-client-" + t);
            th.setDaemon(true);
            threads.add(th);
            th.start();
        }
    }

    /** Stops every client after its current operation; waits for them (bounded by the request timeout). */
    void stop() throws InterruptedException {
        stopped = true;
        for (Thread t : threads) t.join(30_000);
    }

    /** Blocks new operations and waits (at most 30 s) until none is in flight; true if it got there. */
    boolean quiesce() throws InterruptedException {
        return gate.writeLock().tryLock(30, TimeUnit.SECONDS);
    }

    /** Lets the clients go on after {@link #quiesce}. */
    void resume() {
        if (gate.isWriteLockedByCurrentThread()) gate.writeLock().unlock();
    }

    /** What a thread knows of one (stat, post, user) on the user's home node. */
    private static final class UserState {
        int incarnation;
        boolean done;      // liked / retweeted
        boolean poisoned;  // an indeterminate operation: untouched until the next incarnation
    }

    private record Reply(int node, int incarnation, String post, String id) {}

    private void run(int t) {
        Random rnd = new Random(scenario.seed() * 1_000_003L + t);
        NodeApi api = new NodeApi(urls, token, java.time.Duration.ofSeconds(2), java.time.Duration.ofSeconds(6));
        Map<String, UserState> states = new HashMap<>();
        List<Reply> replies = new ArrayList<>();
        long seq = 0;
        while (!stopped) {
            List<Integer> ready = new ArrayList<>();
            for (NodeProcess n : nodes) if (n.ready) ready.add(n.index);
            if (ready.isEmpty()) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                continue;
            }
            int node = ready.get(rnd.nextInt(ready.size()));
            try {
                if (!gate.readLock().tryLock(1, TimeUnit.SECONDS)) continue;
                try {
                    if (stopped) break;
                    step(t, rnd, api, node, states, replies, seq++);
                } finally {
                    gate.readLock().unlock();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2 + rnd.nextInt(15)));
        }
    }

    private void step(int t, Random rnd, NodeApi api, int node, Map<String, UserState> states, List<Reply> replies, long seq)
            throws InterruptedException {
        int incarnation = nodes.get(node).incarnation;
        String post = post(rnd.nextInt(scenario.posts()));
        String user = user(node, t, rnd.nextInt(scenario.usersPerNode()));
        int dice = rnd.nextInt(100);
        if (dice < 40) {
            send(t, api, node, incarnation, Op.Kind.VIEW, post, user, null);
        } else if (dice < 80) {
            boolean like = dice < 65;
            String key = (like ? "l/" : "r/") + post + "/" + user;
            UserState s = states.computeIfAbsent(key, k -> new UserState());
            if (s.incarnation != incarnation) {
                s.incarnation = incarnation;
                s.done = false;
                s.poisoned = false;
            }
            if (s.poisoned) {
                send(t, api, node, incarnation, Op.Kind.VIEW, post, user, null);
                return;
            }
            Op.Kind kind = like ? (s.done ? Op.Kind.UNLIKE : Op.Kind.LIKE) : (s.done ? Op.Kind.UNRETWEET : Op.Kind.RETWEET);
            boolean add = kind == Op.Kind.LIKE || kind == Op.Kind.RETWEET;
            Op op = send(t, api, node, incarnation, kind, post, user, null);
            switch (op.outcome()) {
                case OK -> s.done = add;
                case INDETERMINATE -> s.poisoned = true;
                case FAIL -> {
                    if (op.status() == 409) s.done = true;
                    else if (op.status() == 404) s.done = false;
                }
            }
        } else if (dice < 92) {
            String id = "r" + t + "-" + seq;
            Op op = send(t, api, node, incarnation, Op.Kind.REPLY, post, user, id);
            if (op.outcome() == Op.Outcome.OK) replies.add(new Reply(node, incarnation, post, id));
        } else {
            Reply r = null;
            for (int i = 0; i < replies.size(); i++) {
                Reply c = replies.get(i);
                if (c.node() == node && c.incarnation() == incarnation) {
                    r = replies.remove(i);
                    break;
                }
            }
            if (r == null) {
                send(t, api, node, incarnation, Op.Kind.VIEW, post, user, null);
                return;
            }
            Op op = send(t, api, node, incarnation, Op.Kind.DELETE_REPLY, r.post(), null, r.id());
            if (op.outcome() == Op.Outcome.FAIL && op.status() != 404) replies.add(r); // refused: it can be deleted later
        }
    }

    private Op send(int t, NodeApi api, int node, int incarnation, Op.Kind kind, String post, String user, String reply)
            throws InterruptedException {
        long id = history.nextOpId();
        long start = history.nowMs();
        NodeApi.Answer a = api.write(node, kind, post, user, reply);
        Op op = new Op(id, t, node, incarnation, kind, post, user, reply, a.outcome(), a.status(), a.problem(), start, history.nowMs());
        history.add(op);
        return op;
    }
}
