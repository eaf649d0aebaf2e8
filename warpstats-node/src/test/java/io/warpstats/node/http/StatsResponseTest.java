package io.warpstats.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.stats.PostStats;
import io.warpstats.stats.Source;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The streamed answer of a write and of a stats read is byte for byte the serialized {@link Routes#statsJson} map. */
class StatsResponseTest {
    private static void same(PostStats p, boolean partial) throws Exception {
        Response r = Routes.statsResponse(201, p, partial);
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.contentType()).isEqualTo("application/json");
        assertThat(new String(r.body(), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo(new String(Response.JSON.writeValueAsBytes(Routes.statsJson(p, partial)), java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void sameBytesAsTheMap() throws Exception {
        same(new PostStats("tweet-1", 3, 0, 1, 1_000_000_000_000L, Instant.ofEpochMilli(1_764_700_000_123L), Source.CRDT), false);
        same(new PostStats("tweet-1", 0, 0, 0, 0, Instant.ofEpochMilli(1_764_700_000_000L), Source.LOCAL), true);
        same(new PostStats("p\"\\\u00e9\u2028\ud83d\ude00", Long.MAX_VALUE, 0, 0, 0, null, Source.LOCAL), false);
    }
}
