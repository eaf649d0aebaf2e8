package io.warpstats.node.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A {@link HostileNode} JVM driven through its stdin and read line by line from its stdout. */
final class HostileProcess implements AutoCloseable {
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    final List<String> seen = new ArrayList<>();
    final String address;
    final Path stderr;

    HostileProcess(Path dir, String mode, List<String> dial, List<String> victims, String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                HostileNode.class.getName(), "--mode", mode, "--data-dir", dir.toString()));
        for (String d : dial) cmd.addAll(List.of("--dial", d));
        for (String v : victims) cmd.addAll(List.of("--victim", v));
        cmd.addAll(List.of(extra));
        stderr = dir.resolveSibling(dir.getFileName() + ".err");
        process = new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l = r.readLine(); l != null; l = r.readLine()) lines.add(l);
            } catch (IOException e) {
                lines.add("failed reading: " + e);
            }
        }, "hostile-stdout");
        reader.setDaemon(true);
        reader.start();
        address = await("/ip4/", Duration.ofSeconds(60));
    }

    /** Its peer id. */
    String peerId() {
        return address.substring(address.lastIndexOf('/') + 1);
    }

    /** The next line starting with {@code prefix} (earlier lines are kept in {@link #seen}); fails after {@code limit}. */
    String await(String prefix, Duration limit) throws Exception {
        return await(prefix, limit, () -> {});
    }

    /** Something done while waiting. */
    interface Probe {
        void run() throws Exception;
    }

    /** {@link #await(String, Duration)}, running {@code probe} whenever no line came for 200 ms. */
    String await(String prefix, Duration limit, Probe probe) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            String l = lines.poll(Math.max(1, Math.min(deadline - System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(200))), TimeUnit.NANOSECONDS);
            if (l == null) {
                assertThat(System.nanoTime()).as("the hostile node prints a line starting with '%s' within %s (seen %s; stderr in %s)",
                        prefix, limit, seen, stderr).isLessThan(deadline);
                probe.run();
                continue;
            }
            seen.add(l);
            assertThat(l).as("hostile node failed").doesNotStartWith("failed");
            if (l.startsWith(prefix)) return l;
        }
    }

    /** Lines already printed that start with {@code prefix}. */
    long count(String prefix) {
        String l;
        while ((l = lines.poll()) != null) seen.add(l);
        return seen.stream().filter(x -> x.startsWith(prefix)).count();
    }

    /** Starts the misbehaviour. */
    void go() throws IOException {
        OutputStream in = process.getOutputStream();
        in.write("go\n".getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    @Override
    public void close() throws Exception {
        try {
            OutputStream in = process.getOutputStream();
            in.write("stop\n".getBytes(StandardCharsets.UTF_8));
            in.close();
        } catch (IOException ignored) {
            // already gone
        }
        if (!process.waitFor(15, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
}
