package io.warpstats.p2p.pubsub;

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

/** The shared js-libp2p peer as a child process; its JSON lines are collected and signal a {@link Waiter}. */
final class JsPeer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Process process;
    private final List<JsonNode> lines = new ArrayList<>();
    private final Waiter waiter;

    JsPeer(Waiter waiter, String... args) throws IOException {
        this.waiter = waiter;
        Path dir = Path.of(System.getProperty("warpstats.jspeer", ".build/js-peer"));
        Assumptions.assumeTrue(Files.isDirectory(dir.resolve("node_modules")),
                "js peer not installed (run scripts/setup-interop.sh): " + dir);
        List<String> cmd = new ArrayList<>(List.of("node", "--import", "./polyfill-node20.mjs", "peer.mjs"));
        cmd.addAll(List.of(args));
        process = new ProcessBuilder(cmd).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Thread reader = new Thread(this::readLines, "js-peer-reader");
        reader.setDaemon(true);
        reader.start();
    }

    private void readLines() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                try {
                    JsonNode n = JSON.readTree(line);
                    synchronized (lines) {
                        lines.add(n);
                    }
                } catch (IOException notJson) {
                    // ignore stray output
                }
                waiter.signal();
            }
        } catch (IOException e) {
            // process ended
        }
        waiter.signal();
    }

    List<JsonNode> events(String event) {
        synchronized (lines) {
            return lines.stream().filter(n -> event.equals(n.path("event").asText())).toList();
        }
    }

    List<JsonNode> events(String event, Predicate<JsonNode> filter) {
        return events(event).stream().filter(filter).toList();
    }

    String peerId() { return events("listening").get(0).path("peerId").asText(); }

    boolean alive() { return process.isAlive(); }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
}
