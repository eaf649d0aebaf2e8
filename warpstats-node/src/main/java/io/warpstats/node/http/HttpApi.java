package io.warpstats.node.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.warpstats.stats.StatsService;
import java.net.InetSocketAddress;

/**
 * The node's HTTP API (documented in {@code docs/http.md} and served as OpenAPI 3 at
 * {@code /openapi.json}), its metrics at {@code /metrics} and the dashboard at {@code /}.
 *
 * <p>Guarantees: a write is answered only after the {@link StatsService} made it durable; every error
 * is an {@code application/problem+json} document (RFC 9457); bodies, headers, page sizes, queued
 * requests and request time are bounded ({@link HttpConfig}); a non-loopback binding requires a bearer
 * token. The server never runs blocking work on its network threads.
 */
public interface HttpApi extends AutoCloseable {

    /** The bound address (with the actual port when 0 was configured). */
    InetSocketAddress address();

    /** Stops accepting, closes connections, waits for running requests (bounded). */
    @Override
    void close();

    /**
     * Binds and starts the server.
     *
     * @param registry where the API registers its meters and which {@code /metrics} scrapes
     * @throws IllegalArgumentException for a bad configuration
     * @throws java.io.UncheckedIOException if the address cannot be bound
     */
    static HttpApi start(HttpConfig config, StatsService stats, NodeInfoSource node, PrometheusMeterRegistry registry) {
        return NettyHttpApi.start(config, stats, node, registry, RemotePosts.NONE);
    }

    /**
     * Binds and starts the server of a node that does not hold every post: a post for which
     * {@code remote} says {@link RemotePosts#isRemote} is read from another node.
     */
    static HttpApi start(HttpConfig config, StatsService stats, NodeInfoSource node, PrometheusMeterRegistry registry, RemotePosts remote) {
        return NettyHttpApi.start(config, stats, node, registry, remote);
    }
}
