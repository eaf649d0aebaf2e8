package io.warpstats.node.cli;

import io.warpstats.node.core.NodeConfig;
import io.warpstats.node.core.ShardSelection;
import io.warpstats.stats.Shards;
import io.warpstats.node.http.HttpConfig;
import io.warpstats.node.http.HttpLimits;
import io.warpstats.p2p.Multiaddr;
import io.warpstats.p2p.limit.Rate;
import io.warpstats.stats.EventLogPolicy;
import io.warpstats.stats.StatsServiceBuilder;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The daemon's settings: a properties file ({@code --config}) overridden by flags, turned into a
 * {@link NodeConfig}. Every key is documented in docs/node.md; an unknown key, a malformed value or a
 * file over {@value #MAX_FILE_BYTES} bytes is a {@link BadInputException}.
 */
final class NodeSettings {
    static final int MAX_FILE_BYTES = 64 * 1024;
    static final Set<String> KEYS = Set.of("data-dir", "listen", "bootstrap", "http", "http-token", "dag-name",
            "flush-delay-ms", "rebroadcast-interval-ms", "reconnect-min-ms", "reconnect-max-ms", "maintenance-interval-ms",
            "max-known-peers", "target-peers", "fetch-timeout-ms", "register-delay-ms",
            "event-log-max-age-hours", "event-log-max-records", "shards", "follow-shards",
            "http-read-rate", "http-read-burst", "http-write-rate", "http-write-burst", "http-max-clients");

    private final Map<String, String> values = new LinkedHashMap<>();

    /** Loads {@code file} (Java properties syntax, UTF-8). */
    void load(Path file) {
        try {
            if (!Files.isRegularFile(file)) throw new BadInputException("config file not found: " + file);
            if (Files.size(file) > MAX_FILE_BYTES) throw new BadInputException("config file larger than " + MAX_FILE_BYTES + " bytes: " + file);
            Properties p = new Properties();
            try (Reader r = new StringReader(Files.readString(file, StandardCharsets.UTF_8))) {
                p.load(r);
            }
            for (String k : p.stringPropertyNames()) {
                if (!KEYS.contains(k)) throw new BadInputException("unknown key '" + k + "' in " + file + " (known: " + new java.util.TreeSet<>(KEYS) + ")");
                values.put(k, p.getProperty(k).trim());
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new BadInputException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
    }

    /** The value of {@code key} (from the file or a flag), or {@code null}. */
    String get(String key) {
        return values.get(key);
    }

    /** A flag's value wins over the file's; {@code null} leaves the file's value. */
    void set(String key, @Nullable String value) {
        if (value != null) values.put(key, value);
    }

    NodeConfig toConfig() {
        String dir = values.get("data-dir");
        if (dir == null || dir.isBlank()) throw new BadInputException("--data-dir is required (flag or 'data-dir' in the config file)");
        String listen = values.getOrDefault("listen", "/ip4/127.0.0.1/tcp/0");
        try {
            NodeConfig d = NodeConfig.defaults(Path.of(dir), addr("listen", listen));
            List<Multiaddr> boot = new ArrayList<>();
            String b = values.get("bootstrap");
            if (b != null) for (String s : b.split("[,\\s]+")) if (!s.isEmpty()) boot.add(addr("bootstrap", s));
            HttpConfig http = null;
            if (values.containsKey("http")) {
                String hp = values.get("http");
                int colon = hp.lastIndexOf(':');
                if (colon <= 0) throw new BadInputException("http must be HOST:PORT, not '" + hp + "'");
                int port = integer("http port", hp.substring(colon + 1), 0, 65535);
                http = HttpConfig.loopback(port).withBinding(hp.substring(0, colon), values.get("http-token"))
                        .withLimits(httpLimits());
            }
            return new NodeConfig(d.dataDir(), d.listen(), boot, http, values.getOrDefault("dag-name", d.dagName()),
                    ms("flush-delay-ms", d.flushDelay()), ms("rebroadcast-interval-ms", d.rebroadcastInterval()),
                    ms("reconnect-min-ms", d.reconnectMin()), ms("reconnect-max-ms", d.reconnectMax()),
                    ms("maintenance-interval-ms", d.maintenanceInterval()),
                    intOr("max-known-peers", d.maxKnownPeers()), intOr("target-peers", d.targetPeers()),
                    ms("fetch-timeout-ms", d.fetchTimeout()), registerDelay(d.registerDelay()),
                    new EventLogPolicy(hoursOr("event-log-max-age-hours", d.eventLog().maxAge()),
                            longOr("event-log-max-records", d.eventLog().maxRecords(), EventLogPolicy.MAX_RECORDS_LIMIT),
                            d.eventLog().interval()), shards());
        } catch (java.nio.file.InvalidPathException e) {
            throw new BadInputException("bad data directory '" + dir + "': " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new BadInputException(e.getMessage(), e);
        }
    }

    /** {@code shards} (1..256, default 1) and {@code follow-shards} (a comma list of shard numbers, or {@code all}, the default). */
    private ShardSelection shards() {
        int count = values.containsKey("shards") ? integer("shards", values.get("shards"), 1, Shards.MAX) : 1;
        String f = values.getOrDefault("follow-shards", "all").trim();
        if (f.equals("all")) return ShardSelection.all(count);
        java.util.TreeSet<Integer> followed = new java.util.TreeSet<>();
        for (String part : f.split("[,\\s]+")) {
            if (!part.isEmpty()) followed.add(integer("follow-shards", part, 0, count - 1));
        }
        if (followed.isEmpty()) throw new BadInputException("follow-shards must name at least one shard (0.." + (count - 1) + ") or be 'all'");
        return ShardSelection.of(count, followed);
    }

    /** The per-client limits: a rate of 0 (the default) is no limit; a burst defaults to one second at the rate. */
    private HttpLimits httpLimits() {
        return new HttpLimits(rate("http-read-rate", "http-read-burst"), rate("http-write-rate", "http-write-burst"),
                values.containsKey("http-max-clients") ? integer("http-max-clients", values.get("http-max-clients"), 1, 1_000_000)
                        : HttpLimits.DEFAULT_MAX_CLIENTS);
    }

    private Rate rate(String rateKey, String burstKey) {
        String r = values.get(rateKey);
        int perSecond = r == null ? 0 : integer(rateKey, r, 0, 1_000_000);
        if (perSecond == 0) return Rate.OFF;
        String b = values.get(burstKey);
        return Rate.of(perSecond, b == null ? perSecond : integer(burstKey, b, 1, 10_000_000));
    }

    private static Multiaddr addr(String what, String s) {
        try {
            return Multiaddr.parse(s);
        } catch (RuntimeException e) {
            throw new BadInputException("bad " + what + " multiaddr '" + s + "': " + e.getMessage());
        }
    }

    private Duration ms(String key, Duration dflt) {
        String v = values.get(key);
        return v == null ? dflt : Duration.ofMillis(integer(key, v, 1, 86_400_000));
    }

    /** {@code register-delay-ms}: 0 … 60,000 (0: every write's values go into the CRDT at once). */
    private Duration registerDelay(Duration dflt) {
        String v = values.get("register-delay-ms");
        return v == null ? dflt
                : Duration.ofMillis(integer("register-delay-ms", v, 0, (int) StatsServiceBuilder.MAX_REGISTER_DELAY.toMillis()));
    }

    private Duration hoursOr(String key, Duration dflt) {
        String v = values.get(key);
        return v == null ? dflt : Duration.ofHours(integer(key, v, 1, (int) EventLogPolicy.MAX_AGE_LIMIT.toHours()));
    }

    private long longOr(String key, long dflt, long max) {
        String v = values.get(key);
        if (v == null) return dflt;
        try {
            long l = Long.parseLong(v.trim());
            if (l < 1 || l > max) throw new NumberFormatException();
            return l;
        } catch (NumberFormatException e) {
            throw new BadInputException(key + " must be an integer in 1.." + max + ", not '" + v + "'");
        }
    }

    private int intOr(String key, int dflt) {
        String v = values.get(key);
        return v == null ? dflt : integer(key, v, 1, 10_000);
    }

    private static int integer(String key, String v, int min, int max) {
        try {
            int i = Integer.parseInt(v.trim());
            if (i < min || i > max) throw new NumberFormatException();
            return i;
        } catch (NumberFormatException e) {
            throw new BadInputException(key + " must be an integer in " + min + ".." + max + ", not '" + v + "'");
        }
    }
}
