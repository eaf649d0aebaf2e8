package io.warpstats.stats;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One page of a list. {@code nextCursor} is opaque: pass it back to get the next page; it is
 * {@code null} on the last page.
 */
public record Page<T>(List<T> items, @Nullable String nextCursor, Source source) {
    public Page {
        items = List.copyOf(items);
    }
}
