package io.warpstats.stats;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Builds a {@link StatsService}. Required: {@link #localDatabase} (a directory, created if missing),
 * {@link #nodeId}. The service works on its local database alone; {@link StatsService#attach} connects it
 * to a replica built with {@link StatsService#view()} registered.
 */
public final class StatsServiceBuilder {
    private @Nullable Path localDatabase;
    private @Nullable String nodeId;
    private Clock clock = Clock.systemUTC();
    private Duration flushInterval = Duration.ofMillis(100);
    private Duration registerDelay = DEFAULT_REGISTER_DELAY;
    private EventLogPolicy eventLog = EventLogPolicy.defaults();

    /** The default {@link #registerDelay}. */
    public static final Duration DEFAULT_REGISTER_DELAY = Duration.ofSeconds(1);
    /** The largest {@link #registerDelay}: the writes it holds above the mirror's watermark are replayed after a crash. */
    public static final Duration MAX_REGISTER_DELAY = Duration.ofMinutes(1);

    StatsServiceBuilder() {}

    /** The directory of the local RocksDB database (who did what, local totals, outbox). */
    public StatsServiceBuilder localDatabase(Path dir) {
        this.localDatabase = Objects.requireNonNull(dir);
        return this;
    }

    /** This node's id (its peer id), as in its slot keys. */
    public StatsServiceBuilder nodeId(String nodeId) {
        this.nodeId = Ids.require("node id", nodeId);
        return this;
    }

    /** The clock for action times (default: the system clock, UTC). */
    public StatsServiceBuilder clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock);
        return this;
    }

    /** How often the outbox is flushed into the CRDT and drained (default 100 ms). */
    public StatsServiceBuilder flushInterval(Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("flush interval must be positive");
        }
        this.flushInterval = interval;
        return this;
    }

    /**
     * How long this node's own per-post values, its total of the post's views and its last-activity time, wait before
     * they are put into the CRDT (default 1 s, at most {@link #MAX_REGISTER_DELAY}; zero: with every action). All of the
     * post's views and actions through this node within the delay share one put, which carries the latest total and time.
     * Reads on this node count them at once; other nodes see them up to this much later. Likes, retweets and replies
     * (set members) are never delayed. A larger delay costs the CRDT less per view under load and holds more writes above
     * the watermark, which a crash replays.
     */
    public StatsServiceBuilder registerDelay(Duration delay) {
        this.registerDelay = checkRegisterDelay(delay);
        return this;
    }

    /** {@code delay} if it is a valid {@link #registerDelay} (0 … {@link #MAX_REGISTER_DELAY}), else an {@link IllegalArgumentException}. */
    public static Duration checkRegisterDelay(Duration delay) {
        Objects.requireNonNull(delay, "registerDelay");
        if (delay.isNegative() || delay.compareTo(MAX_REGISTER_DELAY) > 0) {
            throw new IllegalArgumentException("register delay must be 0.." + MAX_REGISTER_DELAY.toSeconds() + " s");
        }
        return delay;
    }

    /** How long and how many records of the local event log are kept (default {@link EventLogPolicy#defaults()}). */
    public StatsServiceBuilder eventLog(EventLogPolicy policy) {
        this.eventLog = Objects.requireNonNull(policy);
        return this;
    }

    /** Opens the local database and returns the service (not yet attached to a CRDT). */
    public StatsService open() {
        Objects.requireNonNull(localDatabase, "localDatabase");
        Objects.requireNonNull(nodeId, "nodeId");
        return new DefaultStatsService(LocalDb.open(localDatabase), nodeId, clock, flushInterval, registerDelay, eventLog);
    }
}
