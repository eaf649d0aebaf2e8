package io.warpstats.bench.faults;

import io.warpstats.p2p.PeerId;
import io.warpstats.p2p.crypto.Identity;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One {@code warpstats node} process: its data directory (a tmpfs of its own when the run is root, so
 * that its disk can be filled), identity, ports and logs stay the same across restarts. The
 * nemesis thread drives it; {@link #ready} is read by client threads.
 */
final class NodeProcess {
    /** Size of a node's tmpfs when space is available. */
    static final long DISK_MB = 1024;

    final int index;
    final Path dataDir;
    private final Path log;
    private final boolean ownDisk;
    private final String peerId;
    private Process process;
    /** Whether the node answered /health since its last start (cleared when it is killed). */
    volatile boolean ready;
    /** Wipes so far: client operations are attributed to the incarnation they were sent to. */
    volatile int incarnation;
    private volatile boolean paused;
    private volatile boolean diskFull;

    NodeProcess(int index, Path root, boolean ownDisk) {
        this.index = index;
        this.dataDir = root.resolve("n" + index);
        this.log = root.resolve("n" + index + ".log");
        this.ownDisk = ownDisk;
        try {
            Files.createDirectories(dataDir);
            if (ownDisk) Shell.check("mount", "-t", "tmpfs", "-o", "size=" + DISK_MB + "m,mode=0700", "tmpfs", dataDir.toString());
            this.peerId = PeerId.fromPublicKey(Identity.loadOrCreate(dataDir).publicKey()).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String peerId() {
        return peerId;
    }

    boolean ownDisk() {
        return ownDisk;
    }

    /** Starts the process with {@code command} (the node's full command line); output is appended to its log. */
    synchronized void start(List<String> command) throws IOException {
        if (process != null && process.isAlive()) throw new IllegalStateException("node " + index + " is running");
        Files.writeString(log, "=== start " + java.time.Instant.now() + "\n", java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putIfAbsent("WARPSTATS_NODE_LOG_LEVEL", "WARN");
        process = pb.start();
        paused = false;
    }

    /** SIGKILL; returns when the process is gone (at most 20 s). */
    synchronized void kill() throws InterruptedException {
        ready = false;
        if (process == null) return;
        if (paused) resume();
        process.destroyForcibly();
        if (!process.waitFor(20, TimeUnit.SECONDS)) throw new IllegalStateException("node " + index + " survived SIGKILL");
    }

    /** SIGTERM (graceful: flushes and publishes its heads), SIGKILL after 20 s. */
    synchronized void stop() throws InterruptedException {
        ready = false;
        if (process == null) return;
        if (paused) resume();
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) kill();
    }

    synchronized boolean alive() {
        return process != null && process.isAlive();
    }

    synchronized void pause() {
        if (process == null || !process.isAlive()) return;
        Shell.check("kill", "-STOP", Long.toString(process.pid()));
        paused = true;
    }

    synchronized void resume() {
        if (process == null || !paused) return;
        Shell.run("kill", "-CONT", Long.toString(process.pid()));
        paused = false;
    }

    /** Deletes everything in the data directory except the identity key (the process must be stopped). */
    synchronized void wipeStores() throws IOException {
        if (alive()) throw new IllegalStateException("node " + index + " is running");
        try (Stream<Path> top = Files.list(dataDir)) {
            for (Path p : top.toList()) {
                if (p.getFileName().toString().equals(Identity.FILE_NAME)) continue;
                deleteTree(p);
            }
        }
        incarnation++;
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> all = Files.walk(p)) {
            List<Path> paths = new ArrayList<>(all.sorted(Comparator.reverseOrder()).toList());
            for (Path q : paths) Files.deleteIfExists(q);
        }
    }

    /** Shrinks the node's tmpfs to what it uses now: the next writes fail with ENOSPC. */
    synchronized void fillDisk() throws IOException {
        if (!ownDisk) throw new UnsupportedOperationException("node " + index + " has no disk of its own");
        String last = "";
        for (int attempt = 0; attempt < 8; attempt++) { // the node writes meanwhile: a size below its use is refused
            FileStore fs = Files.getFileStore(dataDir);
            long usedKb = (fs.getTotalSpace() - fs.getUnallocatedSpace()) / 1024 + 64L * attempt;
            Shell.Result r = Shell.run("mount", "-o", "remount,size=" + Math.max(usedKb, 4) + "k", dataDir.toString());
            if (r.ok()) {
                diskFull = true;
                return;
            }
            last = r.output();
        }
        throw new IOException("cannot shrink the tmpfs of node " + index + ": " + last);
    }

    /** Gives the tmpfs its full size back. */
    synchronized void freeDisk() {
        if (!diskFull) return;
        Shell.check("mount", "-o", "remount,size=" + DISK_MB + "m", dataDir.toString());
        diskFull = false;
    }

    /** Used bytes of the node's data directory filesystem (its tmpfs), or -1 without one. */
    long diskUsedBytes() {
        if (!ownDisk) return -1;
        try {
            FileStore fs = Files.getFileStore(dataDir);
            return fs.getTotalSpace() - fs.getUnallocatedSpace();
        } catch (IOException e) {
            return -1;
        }
    }

    /** Stops the process (SIGKILL) and unmounts its disk; idempotent. */
    synchronized void destroy() {
        try {
            if (process != null) {
                if (paused) resume();
                process.destroy();
                if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        if (ownDisk) {
            if (diskFull) Shell.run("mount", "-o", "remount,size=" + DISK_MB + "m", dataDir.toString());
            Shell.run("umount", "-l", dataDir.toString());
        }
    }

    Path log() {
        return log;
    }

    static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static String pathSeparator() {
        return File.pathSeparator;
    }
}
