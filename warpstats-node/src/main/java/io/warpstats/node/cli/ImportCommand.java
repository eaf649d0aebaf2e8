package io.warpstats.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.warpstats.p2p.PeerId;
import io.warpstats.p2p.crypto.Identity;
import io.warpstats.stats.LegacyTotals;
import io.warpstats.stats.StatsService;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code warpstats import FILE [--format jsonl|csv] [--node URL | --data-dir DIR]}: legacy totals into a node's own
 * counter slots ({@code POST /v1/import} of a running node, or the stores of a stopped node's data directory). The
 * rule (on {@link LegacyTotals}): per post and stat the node keeps the highest total imported and adds only what
 * exceeds it, so the same file twice changes nothing and a later file adds its difference.
 *
 * <p>Two passes: the whole file is validated first (every bad line is reported with its number, at most
 * {@value #MAX_REPORTED} shown, and nothing is imported: exit 2); then it is read again and sent in batches, each
 * one durable write on the node, all or nothing (a post with more likes, retweets and replies than one write may
 * add is sent in steps). A crash or kill leaves some batches applied: running the same
 * command again finishes the import and adds nothing twice. A progress bar on a terminal (a line every 10 %
 * otherwise) goes to stderr, the summary to stdout ({@code --json}: one object).
 */
@Command(name = "import", description = "Import legacy totals (JSON lines or CSV) into a node, idempotently.")
public final class ImportCommand implements Callable<Integer> {
    static final int MAX_REPORTED = 20;
    /** A request body stays under the node's default 16 KiB limit. */
    static final int HTTP_BODY_CHARS = 12 * 1024;
    static final int LOCAL_BATCH = 5000;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The legacy totals: JSON lines {\"postId\",\"likes\",\"retweets\",\"replies\",\"views\"} or CSV with a header.")
    Path file;

    @Option(names = "--format", paramLabel = "jsonl|csv", description = "The file's format (default: from its extension .jsonl/.ndjson/.json or .csv).")
    String format;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Write into this STOPPED node's data directory instead of a running node's API.")
    Path dataDir;

    @Mixin
    ClientOptions client = new ClientOptions();

    /** What the batches sent so far added. */
    static final class Sum {
        long records;
        long changed;
        final long[] added = new long[4];

        void add(long records, long changed, long likes, long retweets, long replies, long views) {
            this.records += records;
            this.changed += changed;
            added[0] += likes;
            added[1] += retweets;
            added[2] += replies;
            added[3] += views;
        }
    }

    /**
     * Where batches go. A batch holds at most {@link LegacyTotals#MAX_NEW_MEMBERS} likes, retweets and replies (an
     * upper bound of the members it adds); a post with more is sent alone in steps of growing totals ({@link #steps}).
     */
    abstract static class Target implements AutoCloseable {
        final Sum sum;
        final List<LegacyTotals> batch = new ArrayList<>();
        private long weight;
        private int records;

        Target(Sum sum) {
            this.sum = sum;
        }

        /** Adds one record; sends a batch when one is full. */
        void add(LegacyTotals t) throws InterruptedException {
            List<LegacyTotals> steps = steps(t);
            if (steps.size() > 1) {
                finish();
                for (int i = 0; i < steps.size(); i++) {
                    batch.add(steps.get(i));
                    added(steps.get(i));
                    records = i == steps.size() - 1 ? 1 : 0;
                    finish();
                }
                return;
            }
            long w = weight(t);
            if (!batch.isEmpty() && (weight + w > LegacyTotals.MAX_NEW_MEMBERS || batch.size() >= LegacyTotals.MAX_BATCH || full(t))) {
                finish();
            }
            batch.add(t);
            added(t);
            weight += w;
            records++;
        }

        /** Called after {@code t} joined the batch. */
        void added(LegacyTotals t) {}

        /** Sends what is left. */
        void finish() throws InterruptedException {
            if (batch.isEmpty()) return;
            send(records);
            batch.clear();
            weight = 0;
            records = 0;
        }

        /** Whether {@code next} does not fit in the batch any more (besides the member bound). */
        abstract boolean full(LegacyTotals next);

        /** Sends {@link #batch}, which completes {@code records} records of the file, and adds the outcome to {@link #sum}. */
        abstract void send(int records) throws InterruptedException;

        abstract String name();

        @Override
        public abstract void close();
    }

    /** The likes, retweets and replies of {@code t}: at most the members importing it adds. */
    static long weight(LegacyTotals t) {
        return t.likes() + t.retweets() + t.replies();
    }

    /**
     * {@code t} as one call, or, when its likes, retweets and replies are more than one call may add, as growing
     * totals each adding at most {@link LegacyTotals#MAX_NEW_MEMBERS} (the import mark makes each step add only its
     * growth over the previous one), the last being {@code t}.
     */
    static List<LegacyTotals> steps(LegacyTotals t) {
        if (weight(t) <= LegacyTotals.MAX_NEW_MEMBERS) return List.of(t);
        long per = LegacyTotals.MAX_NEW_MEMBERS / 3;
        long max = Math.max(t.likes(), Math.max(t.retweets(), t.replies()));
        List<LegacyTotals> out = new ArrayList<>();
        for (long k = per; k < max; k += per) {
            out.add(new LegacyTotals(t.postId(), Math.min(t.likes(), k), Math.min(t.retweets(), k), Math.min(t.replies(), k), t.views()));
        }
        out.add(t);
        return out;
    }

    @Override
    public Integer call() throws Exception {
        if (dataDir != null && client.node != null) throw new BadInputException("give --node or --data-dir, not both");
        LegacyFile.Format f = LegacyFile.Format.of(format, file);
        if (!Files.isRegularFile(file)) throw new BadInputException("no such file: " + file);
        ClientOptions.Endpoint endpoint = dataDir == null ? client.endpoint() : null;
        PrintWriter err = spec.commandLine().getErr();

        LegacyFile.Scan scan = LegacyFile.read(file, f, MAX_REPORTED, t -> { });
        if (scan.badLines() > 0) {
            for (LegacyFile.BadLine b : scan.reported()) err.println(file + ":" + b.line() + ": " + b.message());
            throw new BadInputException(scan.badLines() + " bad line" + (scan.badLines() == 1 ? "" : "s") + " in " + file
                    + (scan.badLines() > scan.reported().size() ? " (the first " + scan.reported().size() + " shown)" : "")
                    + "; nothing imported");
        }

        Sum sum = new Sum();
        Progress progress = new Progress(err, scan.records(), System.console() != null);
        try (Target target = dataDir != null ? new LocalTarget(dataDir, sum) : new HttpTarget(new ApiClient(endpoint), sum)) {
            try {
                LegacyFile.Scan again = LegacyFile.read(file, f, 1, t -> {
                    try {
                        target.add(t);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new OperationFailedException("interrupted");
                    }
                    progress.update(sum.records);
                });
                if (again.badLines() > 0 || again.records() != scan.records()) {
                    throw new OperationFailedException(file + " changed while it was imported");
                }
                target.finish();
            } catch (OperationFailedException e) {
                progress.finish();
                throw new OperationFailedException(e.getMessage() + "; " + sum.records + " of " + scan.records()
                        + " records were imported into " + target.name()
                        + ": run the same command again to finish (nothing is added twice)", e);
            }
            progress.update(sum.records);
            progress.finish();
            summary(target.name(), sum);
        }
        return 0;
    }

    private void summary(String target, Sum sum) {
        PrintWriter out = spec.commandLine().getOut();
        if (client.json) {
            ObjectNode o = ApiClient.JSON.createObjectNode();
            o.put("file", file.toString()).put("target", target).put("records", sum.records).put("changed", sum.changed);
            ObjectNode a = o.putObject("added");
            a.put("likes", sum.added[0]).put("retweets", sum.added[1]).put("replies", sum.added[2]).put("views", sum.added[3]);
            out.println(o);
        } else {
            out.printf("imported %,d records from %s into %s: %,d posts changed; added %,d likes, %,d retweets, %,d replies, %,d views%n",
                    sum.records, file, target, sum.changed, sum.added[0], sum.added[1], sum.added[2], sum.added[3]);
        }
        out.flush();
    }

    /** {@code POST /v1/import} in bodies of at most {@link #HTTP_BODY_CHARS} characters, one connection. */
    static final class HttpTarget extends Target {
        private final ApiClient api;
        private int bodyChars;

        HttpTarget(ApiClient api, Sum sum) {
            super(sum);
            this.api = api;
        }

        private static String json(LegacyTotals t) {
            ObjectNode e = ApiClient.JSON.createObjectNode().put("postId", t.postId());
            if (t.likes() > 0) e.put("likes", t.likes());
            if (t.retweets() > 0) e.put("retweets", t.retweets());
            if (t.replies() > 0) e.put("replies", t.replies());
            if (t.views() > 0) e.put("views", t.views());
            return e.toString();
        }

        @Override
        boolean full(LegacyTotals next) {
            return bodyChars + json(next).length() + 16 > HTTP_BODY_CHARS;
        }

        @Override
        void added(LegacyTotals t) {
            bodyChars += json(t).length() + 1;
        }

        @Override
        void send(int records) throws InterruptedException {
            StringBuilder body = new StringBuilder("{\"totals\":[");
            for (int i = 0; i < batch.size(); i++) body.append(i == 0 ? "" : ",").append(json(batch.get(i)));
            ApiClient.Answer a = api.send("POST", "/v1/import", body.append("]}").toString());
            if (!a.ok() || a.json() == null) throw new OperationFailedException("HTTP " + a.status() + ": " + a.detail());
            JsonNode j = a.json();
            JsonNode added = j.path("added");
            sum.add(records, j.path("changed").asLong(), added.path("likes").asLong(), added.path("retweets").asLong(),
                    added.path("replies").asLong(), added.path("views").asLong());
            bodyChars = 0;
        }

        @Override
        String name() {
            return api.base();
        }

        @Override
        public void close() {}
    }

    /** The local database of a stopped node: its outbox takes the counts into the CRDT when the node starts. */
    static final class LocalTarget extends Target {
        private final Path dir;
        private final StatsService stats;

        LocalTarget(Path dir, Sum sum) {
            super(sum);
            this.dir = dir;
            Path key = dir.resolve(Identity.FILE_NAME);
            if (!Files.isRegularFile(key)) throw new BadInputException(dir + " is not a node's data directory (no " + Identity.FILE_NAME + ")");
            String nodeId;
            try {
                nodeId = PeerId.fromPublicKey(Identity.load(key).publicKey()).toString();
            } catch (IOException e) {
                throw new BadInputException(e.getMessage(), e);
            }
            try {
                stats = StatsService.builder().localDatabase(dir.resolve("local")).nodeId(nodeId).open();
            } catch (RuntimeException e) {
                throw new OperationFailedException("cannot open the node's local database in " + dir
                        + " (is the node running? then import through its API with --node URL): " + e.getMessage(), e);
            }
        }

        @Override
        boolean full(LegacyTotals next) {
            return batch.size() >= LOCAL_BATCH;
        }

        @Override
        void send(int records) {
            LegacyTotals.Outcome o;
            try {
                o = stats.importTotals(batch);
            } catch (RuntimeException e) {
                throw new OperationFailedException("the local database failed: " + e.getMessage(), e);
            }
            sum.add(records, o.changed(), o.likes(), o.retweets(), o.replies(), o.views());
        }

        @Override
        String name() {
            return dir.toString();
        }

        @Override
        public void close() {
            stats.close();
        }
    }

    /** On a terminal, a redrawn bar (at most every 100 ms); otherwise a line at every 10 %. On stderr. */
    static final class Progress {
        private final PrintWriter err;
        private final long total;
        private final boolean tty;
        private long lastDraw;
        private long lastTenth;
        private boolean drawn;

        Progress(PrintWriter err, long total, boolean tty) {
            this.err = err;
            this.total = Math.max(1, total);
            this.tty = tty;
        }

        void update(long done) {
            int pct = (int) Math.min(100, done * 100 / total);
            if (tty) {
                long now = System.nanoTime();
                if (drawn && now - lastDraw < 100_000_000L && done < total) return;
                lastDraw = now;
                drawn = true;
                int filled = pct * 30 / 100;
                err.print("\rimporting [" + "#".repeat(filled) + "-".repeat(30 - filled) + "] " + pct + "%  "
                        + String.format("%,d/%,d", done, total));
                err.flush();
            } else if (pct / 10 > lastTenth) {
                lastTenth = pct / 10;
                err.println(String.format("import: %d%% (%,d of %,d records)", pct, done, total));
                err.flush();
            }
        }

        void finish() {
            if (tty && drawn) {
                err.println();
                err.flush();
            }
        }
    }
}
