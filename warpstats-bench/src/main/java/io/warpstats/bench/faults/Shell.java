package io.warpstats.bench.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a system command ({@code ip}, {@code mount}, {@code kill}) with a bounded wait. Thread-safe. */
final class Shell {
    private Shell() {}

    /** The exit code and the merged output of a command. */
    record Result(int code, String output) {
        boolean ok() {
            return code == 0;
        }
    }

    /** Runs {@code cmd}, at most 20 s; a command that does not end in time is killed and reports code -1. */
    static Result run(List<String> cmd) {
        return run(cmd, "");
    }

    /** Runs {@code cmd} with {@code input} on its standard input, at most 20 s (as {@link #run(List)}). */
    static Result run(List<String> cmd, String input) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            try (var in = p.getOutputStream()) {
                in.write(input.getBytes(StandardCharsets.UTF_8));
            }
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out: " + cmd);
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }

    static Result run(String... cmd) {
        return run(List.of(cmd));
    }

    /** Runs {@code cmd} and throws if it fails. */
    static String check(String... cmd) {
        Result r = run(cmd);
        if (!r.ok()) throw new IllegalStateException(String.join(" ", cmd) + " failed (" + r.code() + "): " + r.output());
        return r.output();
    }

    /** Whether this process runs as root (partitions and full disks need it). */
    static boolean isRoot() {
        Result r = run("id", "-u");
        return r.ok() && r.output().equals("0");
    }
}
