package io.warpstats.bench.sim;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;

/** The scale simulation's figures as a markdown table, a CSV and a PNG plot (java.awt, headless). */
final class ScaleOutput {
    private ScaleOutput() {}

    /** The markdown table's header. */
    static String header() {
        return "| nodes | shards | puts/s | puts/announcement | msgs/put/node | bytes/put/node | gossip | sync | converge ms | stored/node | received/node"
                + " | observer stored | observer received | 1-shard/observer stored | received | heap/node | wall s |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|";
    }

    /** One row of the table. */
    static String row(ScaleResult r) {
        ScaleParams p = r.params();
        boolean obs = p.observers() > 0;
        return String.format(Locale.ROOT, "| %d | %d | %d | %.2f | %.2f | %.0f | %.0f | %.0f | %d | %s | %s | %s | %s | %s | %s | %s | %.1f |",
                p.nodes(), p.shards(), p.putsPerSecond(), r.putsPerAnnouncement(), r.messagesPerPutNode(), r.bytesPerPutNode(), r.gossipBytesPerPutNode(), r.syncBytesPerPutNode(),
                r.convergeMs(), kb(r.storedBytesPerNode()), kb(r.receivedBytesPerNode()),
                obs ? kb(r.observerStoredBytes()) : "–", obs ? kb(r.observerReceivedBytes()) : "–",
                obs ? ratio(r.storedBytesPerNode(), r.observerStoredBytes()) : "–",
                obs ? ratio(r.receivedBytesPerNode(), r.observerReceivedBytes()) : "–",
                kb(r.heapBytesPerNode()), r.wallMs() / 1000.0);
    }

    private static String kb(long bytes) {
        return bytes >= 10L << 20 ? String.format(Locale.ROOT, "%.1f MB", bytes / 1048576.0) : String.format(Locale.ROOT, "%.0f kB", bytes / 1024.0);
    }

    private static String ratio(long a, long b) {
        return b == 0 ? "–" : String.format(Locale.ROOT, "1/%.1f", (double) b / Math.max(1, a));
    }

    /** Writes one line per run. */
    static void writeCsv(List<ScaleResult> results, Path file) throws IOException {
        StringBuilder sb = new StringBuilder("nodes,shards,observers,puts,puts_per_second,seed,messages_per_put_node,bytes_per_put_node,gossip_bytes_per_put_node,"
                + "sync_bytes_per_put_node,converge_ms,stored_bytes_per_node,received_bytes_per_node,observer_stored_bytes,"
                + "observer_received_bytes,heap_bytes_per_node,announcements,blocks,wall_ms\n");
        for (ScaleResult r : results) {
            ScaleParams p = r.params();
            sb.append(String.format(Locale.ROOT, "%d,%d,%d,%d,%d,%d,%.3f,%.1f,%.1f,%.1f,%d,%d,%d,%d,%d,%d,%d,%d,%d%n", p.nodes(), p.shards(), p.observers(),
                    p.puts(), p.putsPerSecond(), p.seed(), r.messagesPerPutNode(), r.bytesPerPutNode(), r.gossipBytesPerPutNode(), r.syncBytesPerPutNode(),
                    r.convergeMs(), r.storedBytesPerNode(), r.receivedBytesPerNode(), r.observerStoredBytes(), r.observerReceivedBytes(),
                    r.heapBytesPerNode(), r.announcements(), r.blocks(), r.wallMs()));
        }
        if (file.getParent() != null) Files.createDirectories(file.getParent());
        Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
    }

    /** The runs of a CSV written by {@link #writeCsv}. */
    static List<ScaleResult> readCsv(Path file) throws IOException {
        List<ScaleResult> out = new java.util.ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) continue;
            String[] f = line.split(",");
            if (f.length != 19) throw new IOException(file + ": expected 19 fields, not " + f.length + ": " + line);
            ScaleParams p = ScaleParams.of(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[3]), Long.parseLong(f[5]))
                    .withPutsPerSecond(Integer.parseInt(f[4]));
            out.add(new ScaleResult(p, Double.parseDouble(f[6]), Double.parseDouble(f[7]), Double.parseDouble(f[8]), Double.parseDouble(f[9]),
                    Long.parseLong(f[10]), Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]), Long.parseLong(f[14]),
                    Long.parseLong(f[15]), Long.parseLong(f[16]), Long.parseLong(f[17]), Long.parseLong(f[18])));
        }
        return out;
    }

    /** Plots bytes received per put per node against the node count (log scale), one line per shard count and rate. */
    static void writePng(List<ScaleResult> results, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Map<String, Map<Integer, Double>> series = new TreeMap<>();
        double maxY = 1;
        int minN = Integer.MAX_VALUE, maxN = 0;
        for (ScaleResult r : results) {
            String label = String.format(Locale.ROOT, "%2d %s, %d puts/s", r.params().shards(), r.params().shards() == 1 ? "shard" : "shards",
                    r.params().putsPerSecond());
            series.computeIfAbsent(label, k -> new TreeMap<>()).put(r.params().nodes(), r.bytesPerPutNode());
            maxY = Math.max(maxY, r.bytesPerPutNode());
            minN = Math.min(minN, r.params().nodes());
            maxN = Math.max(maxN, r.params().nodes());
        }
        int w = 800, h = 500, left = 90, right = 70, top = 50, bottom = 60;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString("Scale simulation: bytes received per put per node", left, 30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawLine(left, h - bottom, w - right, h - bottom);
        g.drawLine(left, top, left, h - bottom);
        double yTop = niceCeil(maxY * 1.15);
        double lo = Math.log10(Math.max(1, minN)), hi = Math.max(lo + 1, Math.log10(Math.max(2, maxN)));
        for (int i = 0; i <= 5; i++) {
            int y = h - bottom - (int) ((h - top - bottom) * i / 5.0);
            g.setColor(new Color(225, 225, 225));
            g.drawLine(left + 1, y, w - right, y);
            g.setColor(Color.BLACK);
            g.drawString(String.format(Locale.ROOT, "%.0f", yTop * i / 5), 10, y + 4);
        }
        for (int n : new int[] {10, 30, 100, 300, 1000, 3000}) {
            double lx = Math.log10(n);
            if (lx < lo - 1e-9 || lx > hi + 1e-9) continue;
            int x = left + (int) ((w - left - right) * (lx - lo) / (hi - lo));
            g.drawLine(x, h - bottom, x, h - bottom + 5);
            g.drawString(Integer.toString(n), x - 10, h - bottom + 20);
        }
        g.drawString("simulated nodes (log scale)", w / 2 - 70, h - 15);
        Color[] colors = {new Color(31, 119, 180), new Color(214, 39, 40), new Color(44, 160, 44), new Color(148, 103, 189)};
        int k = 0;
        for (Map.Entry<String, Map<Integer, Double>> e : series.entrySet()) {
            g.setColor(colors[k % colors.length]);
            g.setStroke(new BasicStroke(2.5f));
            int px = -1, py = -1;
            for (Map.Entry<Integer, Double> pt : e.getValue().entrySet()) {
                int x = left + (int) ((w - left - right) * (Math.log10(pt.getKey()) - lo) / (hi - lo));
                int y = h - bottom - (int) ((h - top - bottom) * pt.getValue() / yTop);
                if (px >= 0) g.drawLine(px, py, x, y);
                g.fillOval(x - 4, y - 4, 8, 8);
                g.drawString(String.format(Locale.ROOT, "%.0f", pt.getValue()), x + 6, y - 6);
                px = x;
                py = y;
            }
            g.fillRect(w - right - 170, top + 10 + 20 * k, 14, 4);
            g.drawString(e.getKey().trim(), w - right - 150, top + 16 + 20 * k);
            k++;
        }
        g.dispose();
        if (file.getParent() != null) Files.createDirectories(file.getParent());
        ImageIO.write(img, "png", file.toFile());
    }

    private static double niceCeil(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) if (m * p >= v) return m * p;
        return 10 * p;
    }
}
