package io.warpstats.node.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One node of the demo: a {@code warpstats node} child process of the same jar (the same class path),
 * configured by a properties file ({@code --config}) in its own data directory, with its standard error
 * appended to {@code nodeN.log} there, and a keep-alive HTTP client for its API.
 *
 * <p>The HTTP port is chosen once (a free loopback port) and the libp2p port is the one the first start
 * bound, so a restart runs on the same data directory and ports. {@link #start} returns once the node
 * printed its multiaddr (it has opened its stores, listens, and serves HTTP), bounded by
 * {@link #START_TIMEOUT}. Used by one thread at a time (the demo's controlling thread) except
 * {@link #client()} and {@link #url}, which any thread may call.
 */
final class DemoNode {
    /** The longest wait for a node process to print its address. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    /** The longest wait for a node process to stop after SIGTERM before it is killed. */
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
    private static final Pattern TCP_PORT = Pattern.compile("/tcp/(\\d+)/");

    final String name;
    final Path dir;
    final int httpPort;
    private int p2pPort;
    private String address;
    private Process process;
    private volatile HttpClient client;
    private int starts;

    DemoNode(String name, Path dir) throws IOException {
        this.name = name;
        this.dir = dir;
        this.httpPort = freePort();
        Files.createDirectories(dir);
    }

    /** Starts the node process (again, after a kill: same directory and ports) and waits for its address. */
    void start(String bootstrap) throws IOException, InterruptedException {
        List<String> config = new ArrayList<>(List.of(
                "data-dir=" + dir.resolve("data").toString().replace("\\", "\\\\"),
                "listen=/ip4/127.0.0.1/tcp/" + p2pPort,
                "http=127.0.0.1:" + httpPort,
                // demo timings: a quick flush, rebroadcast and redial, so a restarted node catches up in seconds
                "flush-delay-ms=100", "rebroadcast-interval-ms=1000", "reconnect-min-ms=100", "reconnect-max-ms=1000",
                "maintenance-interval-ms=100"));
        if (bootstrap != null) config.add("bootstrap=" + bootstrap);
        Path file = dir.resolve("node.properties");
        Files.write(file, config, StandardCharsets.UTF_8);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "node", "--config", file.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(false)
                .redirectError(ProcessBuilder.Redirect.appendTo(log().toFile()));
        process = pb.start();
        process.getOutputStream().close();
        starts++;
        String line = firstLine(process);
        Matcher m = TCP_PORT.matcher(line);
        if (!m.find()) throw new IOException(name + " printed no address but '" + line + "'");
        p2pPort = Integer.parseInt(m.group(1));
        address = line;
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
    }

    /** Kills the process with SIGKILL (no shutdown hook runs) and waits for it to be gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Stops the process with SIGTERM (the node closes in order), killing it after {@link #STOP_TIMEOUT}. */
    void stop() {
        if (process == null || !process.isAlive()) return;
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the process at once, for a shutdown hook that must not wait. */
    void destroy() {
        if (process != null) process.destroy();
    }

    long pid() {
        return process == null ? -1 : process.pid();
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    /** The node's full libp2p address, with {@code /p2p/…}. */
    String address() {
        return address;
    }

    /** How often the process was started. */
    int starts() {
        return starts;
    }

    /** The HTTP client of the node's current process (a new one after each start: no connection to a dead process is pooled). */
    HttpClient client() {
        return client;
    }

    URI url(String path) {
        return URI.create("http://127.0.0.1:" + httpPort + path);
    }

    Path log() {
        return dir.resolve(name + ".log");
    }

    /** The first line of the process's stdout (its address); the rest is drained by a daemon thread. */
    private String firstLine(Process p) throws IOException, InterruptedException {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> first = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try {
                String line = out.readLine();
                first.complete(line);
                while (line != null) line = out.readLine();
            } catch (IOException e) {
                first.completeExceptionally(e);
            }
        }, name + "-stdout");
        reader.setDaemon(true);
        reader.start();
        try {
            String line = first.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (line == null) {
                p.waitFor(5, TimeUnit.SECONDS);
                throw new IOException(name + " exited" + (p.isAlive() ? "" : " with " + p.exitValue()) + " before printing its address: " + logTail());
            }
            return line.trim();
        } catch (TimeoutException e) {
            p.destroyForcibly();
            throw new IOException(name + " printed no address within " + START_TIMEOUT.toSeconds() + " s: " + logTail());
        } catch (ExecutionException e) {
            throw new IOException(name + ": " + e.getCause().getMessage(), e.getCause());
        }
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(log(), StandardCharsets.UTF_8);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
