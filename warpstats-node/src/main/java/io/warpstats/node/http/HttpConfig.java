package io.warpstats.node.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Configuration of the HTTP API.
 *
 * @param host           the address to bind; {@code 127.0.0.1} by default
 * @param port           the port; 0 picks a free one
 * @param bearerToken    the token clients must send as {@code Authorization: Bearer …}, or {@code null}.
 *                       Required when {@code host} is not a loopback address.
 * @param maxBodyBytes   the largest request body accepted (413 above it)
 * @param requestTimeout how long a request may take before the server answers 503
 * @param idleTimeout    how long an idle connection is kept open
 * @param workerThreads  threads that run the (blocking, durable) operations
 * @param maxQueuedRequests requests waiting for a worker before the server answers 503
 * @param limits         rate limits per client (429 beyond them); {@link HttpLimits#OFF} by default
 */
public record HttpConfig(String host, int port, @Nullable String bearerToken, int maxBodyBytes, Duration requestTimeout,
                         Duration idleTimeout, int workerThreads, int maxQueuedRequests, HttpLimits limits) {
    public static final int DEFAULT_MAX_BODY_BYTES = 16 * 1024;

    public HttpConfig {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, not " + port);
        }
        if (bearerToken != null && (bearerToken.length() < 16 || !bearerToken.matches("[\\x21-\\x7e]+"))) {
            throw new IllegalArgumentException("the bearer token must be at least 16 printable ASCII characters without spaces");
        }
        if (maxBodyBytes < 256 || maxBodyBytes > 1 << 20) {
            throw new IllegalArgumentException("maxBodyBytes must be between 256 and 1048576");
        }
        if (workerThreads < 1 || maxQueuedRequests < 1) {
            throw new IllegalArgumentException("workerThreads and maxQueuedRequests must be positive");
        }
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(limits, "limits");
        if (bearerToken == null && !isLoopback(host)) {
            throw new IllegalArgumentException("the HTTP API is bound to " + host
                    + ", which is not a loopback address: configure a bearer token (at least 16 characters)");
        }
    }

    /** Without rate limits ({@link HttpLimits#OFF}). */
    public HttpConfig(String host, int port, @Nullable String bearerToken, int maxBodyBytes, Duration requestTimeout,
                      Duration idleTimeout, int workerThreads, int maxQueuedRequests) {
        this(host, port, bearerToken, maxBodyBytes, requestTimeout, idleTimeout, workerThreads, maxQueuedRequests, HttpLimits.OFF);
    }

    /** 127.0.0.1 on {@code port}, no token, 16 KiB bodies, 10 s per request, 60 s idle, 4 workers, 256 queued, no rate limits. */
    public static HttpConfig loopback(int port) {
        return new HttpConfig("127.0.0.1", port, null, DEFAULT_MAX_BODY_BYTES, Duration.ofSeconds(10),
                Duration.ofSeconds(60), 4, 256);
    }

    /** A copy bound to {@code host} with {@code token} ({@code null}: none, allowed on loopback only). */
    public HttpConfig withBinding(String host, @Nullable String token) {
        return new HttpConfig(host, port, token, maxBodyBytes, requestTimeout, idleTimeout, workerThreads, maxQueuedRequests, limits);
    }

    /** A copy with other rate limits per client. */
    public HttpConfig withLimits(HttpLimits l) {
        return new HttpConfig(host, port, bearerToken, maxBodyBytes, requestTimeout, idleTimeout, workerThreads, maxQueuedRequests, l);
    }

    /** Whether {@code host} names only this machine ({@code localhost}, 127.0.0.0/8, ::1). */
    static boolean isLoopback(String host) {
        if (host.equals("localhost")) {
            return true;
        }
        try {
            if (!host.matches("[0-9.]+|\\[?[0-9a-fA-F:]+]?")) {
                return false; // a name: could resolve anywhere
            }
            return InetAddress.getByName(host.replace("[", "").replace("]", "")).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
