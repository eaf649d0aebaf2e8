package io.warpstats.stats;

import java.time.Duration;
import java.util.Objects;

/**
 * How long the local database keeps its event log ({@code e/}: one record per action, with user and time), and
 * how many records at most. Records older than {@code maxAge}, and the oldest records past {@code maxRecords}, are
 * removed in the background every {@code interval}. Who did what (likers, a user's likes, replies) and every total
 * are state, not history: the policy never touches them.
 *
 * @param maxAge     a record older than this is removed; 1 minute … 3,650 days (default {@link #DEFAULT_MAX_AGE})
 * @param maxRecords at most this many records are kept, the newest; 1 … 1,000,000,000 (default {@link #DEFAULT_MAX_RECORDS})
 * @param interval   how often the background removal runs; 10 ms … 1 day (default {@link #DEFAULT_INTERVAL})
 */
public record EventLogPolicy(Duration maxAge, long maxRecords, Duration interval) {
    public static final Duration DEFAULT_MAX_AGE = Duration.ofDays(7);
    public static final long DEFAULT_MAX_RECORDS = 1_000_000;
    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);
    public static final Duration MAX_AGE_LIMIT = Duration.ofDays(3650);
    public static final long MAX_RECORDS_LIMIT = 1_000_000_000L;

    public EventLogPolicy {
        Objects.requireNonNull(maxAge, "maxAge");
        Objects.requireNonNull(interval, "interval");
        if (maxAge.compareTo(Duration.ofMinutes(1)) < 0 || maxAge.compareTo(MAX_AGE_LIMIT) > 0) {
            throw new IllegalArgumentException("event log max age must be 1 minute … 3650 days, not " + maxAge);
        }
        if (maxRecords < 1 || maxRecords > MAX_RECORDS_LIMIT) {
            throw new IllegalArgumentException("event log max records must be 1 … " + MAX_RECORDS_LIMIT + ", not " + maxRecords);
        }
        if (interval.compareTo(Duration.ofMillis(10)) < 0 || interval.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException("event log retention interval must be 10 ms … 1 day, not " + interval);
        }
    }

    /** 7 days, 1,000,000 records, every minute. */
    public static EventLogPolicy defaults() {
        return new EventLogPolicy(DEFAULT_MAX_AGE, DEFAULT_MAX_RECORDS, DEFAULT_INTERVAL);
    }
}
