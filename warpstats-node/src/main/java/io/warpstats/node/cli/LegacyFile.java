package io.warpstats.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.warpstats.stats.InvalidIdException;
import io.warpstats.stats.LegacyTotals;
import io.warpstats.stats.Stat;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Reads a file of legacy totals, streaming (memory is bounded by {@link #MAX_LINE_CHARS}, whatever the file's size).
 *
 * <ul>
 *   <li>{@code jsonl}: one object per line, {@code {"postId":"p1","likes":3,"retweets":0,"replies":1,"views":40}}.</li>
 *   <li>{@code csv}: a header line naming the columns ({@code postId} and any of {@code likes,retweets,replies,views},
 *       in any order), then one post per line; a field may be in double quotes.</li>
 * </ul>
 * In both: UTF-8 (a leading byte-order mark is skipped), blank lines are skipped, a missing or empty count is 0,
 * counts are whole numbers 0 to {@link LegacyTotals#max} of their statistic, post ids as everywhere ({@code io.warpstats.stats.Ids}),
 * an unknown field or column is an error (a misspelt column must not import as zeros), at most
 * {@value #MAX_RECORDS} records.
 */
final class LegacyFile {
    static final int MAX_LINE_CHARS = 4096;
    static final long MAX_RECORDS = 100_000_000L;
    static final List<String> FIELDS = List.of("postId", "likes", "retweets", "replies", "views");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The file formats. */
    enum Format {
        JSONL, CSV;

        /** From {@code --format} or, when {@code null}, the file's extension. */
        static Format of(String flag, Path file) {
            String f = flag;
            if (f == null) {
                String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
                if (name.endsWith(".csv")) return CSV;
                if (name.endsWith(".jsonl") || name.endsWith(".ndjson") || name.endsWith(".json")) return JSONL;
                throw new BadInputException("cannot tell the format of " + file + " from its name: give --format jsonl or --format csv");
            }
            return switch (f.toLowerCase(Locale.ROOT)) {
                case "jsonl", "ndjson" -> JSONL;
                case "csv" -> CSV;
                default -> throw new BadInputException("--format must be jsonl or csv, not '" + f + "'");
            };
        }
    }

    /** A line that cannot be imported. */
    record BadLine(long line, String message) {}

    /** What a pass over the file found: records, bad lines (the first {@code maxReported} of them) and their count. */
    record Scan(long records, long badLines, List<BadLine> reported) {}

    private LegacyFile() {}

    /**
     * Reads {@code file} once, giving every good record to {@code sink} in file order.
     *
     * @throws BadInputException if the file cannot be read or is not UTF-8
     */
    static Scan read(Path file, Format format, int maxReported, Consumer<LegacyTotals> sink) {
        List<BadLine> reported = new ArrayList<>();
        long[] bad = {0};
        long records = 0;
        Consumer<BadLine> report = b -> {
            bad[0]++;
            if (reported.size() < maxReported) reported.add(b);
        };
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        long lineNo = 0;
        try (Reader r = new java.io.BufferedReader(new InputStreamReader(Files.newInputStream(file), decoder), 64 * 1024)) {
            LineReader lines = new LineReader(r);
            int[] columns = null; // CSV: the stat ordinal of each column, -1 for postId
            String line;
            while ((line = lines.next()) != null) {
                lineNo++;
                if (lineNo == 1 && line.startsWith("\uFEFF")) line = line.substring(1);
                if (lines.tooLong()) {
                    report.accept(new BadLine(lineNo, "longer than " + MAX_LINE_CHARS + " characters"));
                    continue;
                }
                if (line.isBlank()) continue;
                try {
                    if (format == Format.CSV && columns == null) {
                        columns = header(line);
                        continue;
                    }
                    LegacyTotals t = format == Format.CSV ? csv(line, columns) : jsonl(line);
                    if (++records > MAX_RECORDS) throw new BadInputException("more than " + MAX_RECORDS + " records in " + file);
                    sink.accept(t);
                } catch (LineException e) {
                    report.accept(new BadLine(lineNo, e.getMessage()));
                    if (format == Format.CSV && columns == null) break; // no usable header: every line would fail
                }
            }
            if (format == Format.CSV && columns == null && bad[0] == 0) {
                report.accept(new BadLine(1, "no header line (postId,likes,retweets,replies,views)"));
            }
        } catch (CharacterCodingException e) {
            report.accept(new BadLine(lineNo + 1, "not UTF-8 text"));
        } catch (IOException e) {
            throw new BadInputException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return new Scan(records, bad[0], List.copyOf(reported));
    }

    private static final class LineException extends Exception {
        LineException(String message) {
            super(message, null, false, false);
        }
    }

    private static LegacyTotals jsonl(String line) throws LineException {
        JsonNode n;
        try {
            n = JSON.readTree(line);
        } catch (IOException e) {
            throw new LineException("not a JSON object");
        }
        if (n == null || !n.isObject()) throw new LineException("not a JSON object");
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) throw new LineException("unknown field \"" + clip(f) + "\" (the fields are " + String.join(", ", FIELDS) + ")");
        }
        JsonNode post = n.get("postId");
        if (post == null || !post.isTextual()) throw new LineException("needs a string field \"postId\"");
        long[] v = new long[Stat.values().length];
        for (Stat s : Stat.values()) {
            JsonNode c = n.get(s.key());
            if (c == null || c.isNull()) continue;
            if (!c.isIntegralNumber() || !c.canConvertToLong() || c.asLong() < 0 || c.asLong() > LegacyTotals.max(s)) {
                throw new LineException(s.key() + " must be a whole number from 0 to " + LegacyTotals.max(s) + ", not " + clip(c.toString()));
            }
            v[s.ordinal()] = c.asLong();
        }
        return totals(post.textValue(), v);
    }

    private static int[] header(String line) throws LineException {
        String[] names = fields(line);
        int[] columns = new int[names.length];
        boolean[] seen = new boolean[FIELDS.size()];
        for (int i = 0; i < names.length; i++) {
            int f = FIELDS.indexOf(names[i]);
            if (f < 0) throw new LineException("header: unknown column \"" + clip(names[i]) + "\" (the columns are " + String.join(",", FIELDS) + ")");
            if (seen[f]) throw new LineException("header: column \"" + names[i] + "\" given twice");
            seen[f] = true;
            columns[i] = f - 1;
        }
        if (!seen[0]) throw new LineException("header: no postId column (the columns are " + String.join(",", FIELDS) + ")");
        return columns;
    }

    private static LegacyTotals csv(String line, int[] columns) throws LineException {
        String[] f = fields(line);
        if (f.length != columns.length) throw new LineException(f.length + " fields where the header has " + columns.length);
        String post = null;
        long[] v = new long[Stat.values().length];
        for (int i = 0; i < f.length; i++) {
            if (columns[i] < 0) {
                post = f[i];
                continue;
            }
            Stat s = Stat.values()[columns[i]];
            if (f[i].isEmpty()) continue;
            if (!f[i].matches("[0-9]{1,15}") || Long.parseLong(f[i]) > LegacyTotals.max(s)) {
                throw new LineException(s.key() + " must be a whole number from 0 to " + LegacyTotals.max(s) + ", not \"" + clip(f[i]) + "\"");
            }
            v[s.ordinal()] = Long.parseLong(f[i]);
        }
        return totals(post, v);
    }

    /** Comma-separated fields, trimmed, each optionally in double quotes (ids and counts never hold commas). */
    private static String[] fields(String line) throws LineException {
        String[] f = line.split(",", -1);
        for (int i = 0; i < f.length; i++) {
            String s = f[i].strip();
            if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) s = s.substring(1, s.length() - 1);
            if (s.indexOf('"') >= 0) throw new LineException("field " + (i + 1) + " has a stray double quote");
            f[i] = s;
        }
        return f;
    }

    private static LegacyTotals totals(String post, long[] v) throws LineException {
        try {
            return new LegacyTotals(post, v[0], v[1], v[2], v[3]);
        } catch (InvalidIdException | IllegalArgumentException e) {
            throw new LineException(e.getMessage());
        }
    }

    private static String clip(String s) {
        String t = s.length() > 40 ? s.substring(0, 40) + "…" : s;
        return t.replaceAll("\\p{Cntrl}", "?");
    }

    /** Lines of at most {@link #MAX_LINE_CHARS} characters: the rest of a longer line is skipped, not kept. */
    private static final class LineReader {
        private final Reader in;
        private final StringBuilder sb = new StringBuilder();
        private boolean tooLong;
        private int pending = -2; // a character read ahead after '\r', or -2 for none

        LineReader(Reader in) {
            this.in = in;
        }

        boolean tooLong() {
            return tooLong;
        }

        String next() throws IOException {
            sb.setLength(0);
            tooLong = false;
            int c = pending != -2 ? pending : in.read();
            pending = -2;
            if (c < 0) return null;
            while (c >= 0 && c != '\n' && c != '\r') {
                if (sb.length() < MAX_LINE_CHARS) sb.append((char) c);
                else tooLong = true;
                c = in.read();
            }
            if (c == '\r') {
                int d = in.read();
                if (d != '\n') pending = d;
            }
            return sb.toString();
        }
    }
}
