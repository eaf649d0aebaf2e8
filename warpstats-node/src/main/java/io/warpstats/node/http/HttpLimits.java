package io.warpstats.node.http;

import io.warpstats.p2p.limit.Rate;
import java.util.Objects;

/**
 * Rate limits of the HTTP API per client (see docs/http.md): a client is the bearer token it sends, else
 * its remote address (an IPv6 address by its /64). Reads ({@code GET}, {@code HEAD}) and writes (every other
 * method) of {@code /v1/…} have separate budgets; a client over one is answered 429 with {@code Retry-After}.
 *
 * @param reads      the read rate and burst per client; {@link Rate#OFF}: unlimited (the default)
 * @param writes     the write rate and burst per client; {@link Rate#OFF}: unlimited (the default)
 * @param maxClients the most clients whose budget is remembered (least recently seen forgotten first)
 */
public record HttpLimits(Rate reads, Rate writes, int maxClients) {
    /** The default bound on remembered clients. */
    public static final int DEFAULT_MAX_CLIENTS = 10_000;
    /** No limit (the default: a node serves its own front end; set limits when clients are untrusted). */
    public static final HttpLimits OFF = new HttpLimits(Rate.OFF, Rate.OFF, DEFAULT_MAX_CLIENTS);

    public HttpLimits {
        Objects.requireNonNull(reads, "reads");
        Objects.requireNonNull(writes, "writes");
        if (maxClients < 1 || maxClients > 1_000_000) throw new IllegalArgumentException("maxClients must be 1..1000000, not " + maxClients);
    }

    /** Whether nothing is limited. */
    public boolean off() {
        return reads.off() && writes.off();
    }
}
