package io.warpstats.stats;

import java.util.Locale;
import java.util.Optional;

/** A statistic kept per post. Its {@link #key()} is the segment used in CRDT slot keys. */
public enum Stat {
    LIKES, RETWEETS, REPLIES, VIEWS;

    private final String key = name().toLowerCase(Locale.ROOT);

    /** The lower-case name used in keys and JSON ({@code likes}, {@code retweets}, ...). */
    public String key() {
        return key;
    }

    /** Whether the statistic can go down (views only grow: they have no {@code decr} slots). */
    public boolean decrementable() {
        return this != VIEWS;
    }

    /** The statistic named {@code key} (as returned by {@link #key()}), if any. */
    public static Optional<Stat> fromKey(String key) {
        for (Stat s : values()) {
            if (s.key.equals(key)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
