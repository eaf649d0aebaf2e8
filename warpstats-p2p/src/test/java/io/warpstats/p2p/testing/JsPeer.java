package io.warpstats.p2p.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assumptions;

/**
 * The shared js-libp2p peer ({@code shared/interop/js-peer}, installed by scripts/setup-interop.sh)
 * as a child process, {@code node peer.mjs ARGS}. Its stdout is JSON lines, one event each
 * ({@code {"event": "listening", …}}); they are collected on a reader thread and can be read or
 * awaited. Up to 20,000 characters of its stderr are kept for failure messages. {@link #close()}
 * ends it (TERM, then KILL after a bounded wait).
 *
 * <p>Thread-safe: the event list is guarded by its own monitor. The listener given to
 * {@link #start(Runnable, String...)} runs on the reader thread after each line and once when the
 * process's stdout ends.
 */
public final class JsPeer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_STDERR_CHARS = 20_000;
    private final Process process;
    private final Runnable onLine;
    private final List<JsonNode> events = new ArrayList<>();
    private final StringBuilder stderr = new StringBuilder();
    private boolean ended; // guarded by events

    private JsPeer(Process p, Runnable onLine) {
        this.process = p;
        this.onLine = onLine;
        Thread out = new Thread(this::pump, "js-peer-stdout");
        out.setDaemon(true);
        out.start();
        Thread err = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (stderr) {
                        if (stderr.length() < MAX_STDERR_CHARS) stderr.append(line).append('\n');
                    }
                }
            } catch (IOException ignored) {
                // process ended
            }
        }, "js-peer-stderr");
        err.setDaemon(true);
        err.start();
    }

    /** The directory of the installed peer ({@code -Dwarpstats.jspeer}, else {@code .build/js-peer}); skips the test if it is not installed. */
    public static Path directory() {
        String dir = System.getProperty("warpstats.jspeer", "");
        Path p = Path.of(dir.isEmpty() ? ".build/js-peer" : dir);
        Assumptions.assumeTrue(Files.isDirectory(p.resolve("node_modules")), "js peer not installed (run scripts/setup-interop.sh): " + p);
        return p;
    }

    /** Starts {@code node peer.mjs args...} in {@link #directory()}. */
    public static JsPeer start(String... args) throws IOException {
        return start(() -> { }, args);
    }

    /** Starts {@code node peer.mjs args...}; {@code onLine} runs after each line the peer prints and when its output ends. */
    public static JsPeer start(Runnable onLine, String... args) throws IOException {
        Path dir = directory();
        List<String> cmd = new ArrayList<>(List.of("node", "--import", "./polyfill-node20.mjs", "peer.mjs"));
        cmd.addAll(List.of(args));
        return new JsPeer(new ProcessBuilder(cmd).directory(dir.toFile()).start(), onLine);
    }

    private void pump() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                try {
                    JsonNode n = JSON.readTree(line);
                    synchronized (events) {
                        events.add(n);
                        events.notifyAll();
                    }
                } catch (IOException notJson) {
                    // stray output
                }
                onLine.run();
            }
        } catch (IOException ignored) {
            // process ended
        }
        synchronized (events) {
            ended = true;
            events.notifyAll();
        }
        onLine.run();
    }

    /**
     * Waits (at most {@code timeoutMs}) for the first event named {@code name} that satisfies
     * {@code filter}; an {@link AssertionError} (with the events and stderr so far) on timeout, when
     * the peer reports {@code name-failed} or {@code fatal}, or when it exits first.
     */
    public JsonNode await(String name, Predicate<JsonNode> filter, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        synchronized (events) {
            while (true) {
                for (JsonNode n : events) {
                    String event = n.path("event").asText();
                    if (name.equals(event) && filter.test(n)) return n;
                    if (event.equals(name + "-failed") || event.equals("fatal")) throw failure("reported " + n + " while waiting for '" + name + "'");
                }
                if (ended) throw failure("exited without a '" + name + "' event");
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) throw failure("no '" + name + "' event within " + timeoutMs + " ms");
                events.wait(left);
            }
        }
    }

    /** {@link #await(String, Predicate, long)} of any event named {@code name}, 20 s at most. */
    public JsonNode await(String name) throws InterruptedException { return await(name, n -> true, 20_000); }

    private AssertionError failure(String what) {
        return new AssertionError("js peer " + what + "; events " + events + "; stderr " + stderr());
    }

    /** Every event so far, in order. */
    public List<JsonNode> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    /** The events so far named {@code event}, in order. */
    public List<JsonNode> events(String event) {
        return events(event, n -> true);
    }

    /** The events so far named {@code event} that satisfy {@code filter}, in order. */
    public List<JsonNode> events(String event, Predicate<JsonNode> filter) {
        return events().stream().filter(n -> event.equals(n.path("event").asText()) && filter.test(n)).toList();
    }

    /** The peer id of the {@code listening} event; it must have arrived (see {@link #await(String)}). */
    public String peerId() {
        List<JsonNode> l = events("listening");
        if (l.isEmpty()) throw new AssertionError("js peer: no 'listening' event yet");
        return l.get(0).path("peerId").asText();
    }

    /** The peer's first listen address with {@code /p2p/…}, once it listens (20 s at most). */
    public String multiaddr() throws InterruptedException {
        JsonNode l = await("listening");
        String a = l.path("multiaddrs").get(0).asText();
        return a.contains("/p2p/") ? a : a + "/p2p/" + l.path("peerId").asText();
    }

    public boolean alive() { return process.isAlive(); }

    /** The first 20,000 characters of the peer's stderr so far. */
    public String stderr() {
        synchronized (stderr) {
            return stderr.toString();
        }
    }

    /** Ends the peer ({@link Processes#stop}). */
    @Override
    public void close() {
        Processes.stop(process);
    }
}
