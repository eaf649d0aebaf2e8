package io.warpstats.p2p.interop;

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
 * The shared js-libp2p peer as a child process: its JSON lines are collected and can be awaited.
 * {@link #close()} kills it (TERM, then KILL after a bounded wait).
 */
public final class JsPeer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Process process;
    private final List<JsonNode> events = new ArrayList<>();
    private final StringBuilder stderr = new StringBuilder();

    private JsPeer(Process p) {
        this.process = p;
        Thread out = new Thread(() -> pump(p), "js-peer-stdout");
        out.setDaemon(true);
        out.start();
        Thread err = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) synchronized (stderr) { if (stderr.length() < 20_000) stderr.append(line).append('\n'); }
            } catch (IOException ignored) { }
        }, "js-peer-stderr");
        err.setDaemon(true);
        err.start();
    }

    /** The directory of the installed peer ({@code warpstats.jspeer}); skips the test if it is not installed. */
    public static Path directory() {
        String dir = System.getProperty("warpstats.jspeer", "");
        Path p = Path.of(dir.isEmpty() ? ".build/js-peer" : dir);
        Assumptions.assumeTrue(Files.isDirectory(p.resolve("node_modules")), "js peer not installed (run scripts/setup-interop.sh)");
        return p;
    }

    /** Starts {@code node peer.mjs args...}. */
    public static JsPeer start(String... args) throws IOException {
        Path dir = directory();
        List<String> cmd = new ArrayList<>(List.of("node", "--import", "./polyfill-node20.mjs", "peer.mjs"));
        cmd.addAll(List.of(args));
        return new JsPeer(new ProcessBuilder(cmd).directory(dir.toFile()).start());
    }

    private void pump(Process p) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                JsonNode n;
                try {
                    n = JSON.readTree(line);
                } catch (IOException e) {
                    continue;
                }
                synchronized (events) {
                    events.add(n);
                    events.notifyAll();
                }
            }
        } catch (IOException ignored) {
            // process ended
        }
    }

    /** Waits (bounded) for the first event named {@code name} that satisfies {@code filter}. */
    public JsonNode await(String name, Predicate<JsonNode> filter, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        synchronized (events) {
            while (true) {
                for (JsonNode n : events) {
                    if (name.equals(n.path("event").asText()) && filter.test(n)) return n;
                }
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) throw new AssertionError("js peer: no '" + name + "' event within " + timeoutMs + " ms; events " + events + "; stderr " + stderr());
                events.wait(left);
            }
        }
    }

    public JsonNode await(String name) throws InterruptedException { return await(name, n -> true, 20_000); }

    public List<JsonNode> events() { synchronized (events) { return List.copyOf(events); } }

    public String stderr() { synchronized (stderr) { return stderr.toString(); } }

    /** The peer's first listen address with {@code /p2p/…}. */
    public String multiaddr() throws InterruptedException {
        JsonNode l = await("listening");
        String a = l.path("multiaddrs").get(0).asText();
        return a.contains("/p2p/") ? a : a + "/p2p/" + l.path("peerId").asText();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
