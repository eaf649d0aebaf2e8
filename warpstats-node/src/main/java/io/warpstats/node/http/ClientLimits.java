package io.warpstats.node.http;

import io.warpstats.p2p.limit.Rate;
import io.warpstats.p2p.limit.RateLimiter;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The {@link HttpLimits} of all connections of one API: a read and a write {@link RateLimiter} keyed by client.
 *
 * <p>Who a client is: a request with {@code Authorization: Bearer …} is the client of that token (only the
 * configured token gets this far when one is configured, so every holder of it shares one budget; without
 * a configured token the API listens on loopback only, and local programs may name themselves by any token).
 * Tokens are remembered by a SHA-256 prefix, not in clear. Any other request is the client of its remote
 * address; an IPv6 address counts by its /64 (one host often holds a whole /64). Thread-safe.
 */
final class ClientLimits {
    /** The problem type of a 429 (docs/http.md). */
    static final String PROBLEM = "rate-limited";
    private final RateLimiter<String> reads;
    private final RateLimiter<String> writes;
    private final boolean off;

    ClientLimits(HttpLimits limits, LongSupplier nanoClock) {
        this.reads = new RateLimiter<>(limits.reads(), limits.maxClients(), nanoClock);
        this.writes = new RateLimiter<>(limits.writes(), limits.maxClients(), nanoClock);
        this.off = limits.off();
    }

    /**
     * Takes one request from the client's read or write budget: {@code null} if admitted, else the 429 to
     * answer (a problem body and {@code Retry-After} in whole seconds, when the budget has a token again).
     */
    @Nullable Response admit(boolean write, @Nullable String authorization, @Nullable SocketAddress remote) {
        if (off) return null;
        RateLimiter<String> l = write ? writes : reads;
        if (l.rate().off()) return null;
        long wait = l.acquire(client(authorization, remote));
        if (wait == 0) return null;
        long seconds = RateLimiter.retryAfterSeconds(wait);
        Rate r = l.rate();
        return Response.problem(429, PROBLEM, "Too many requests", "this client is over its limit of "
                + fmt(r.perSecond()) + " " + (write ? "writes" : "reads") + " per second (burst " + fmt(r.burst())
                + "); retry after " + seconds + " s").withHeader("Retry-After", Long.toString(seconds));
    }

    /** The client key of a request (see the class comment). */
    static String client(@Nullable String authorization, @Nullable SocketAddress remote) {
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7) && authorization.length() > 7) {
            return "token:" + HexFormat.of().formatHex(sha256(authorization.substring(7).trim()), 0, 16);
        }
        if (remote instanceof InetSocketAddress a && a.getAddress() != null) {
            InetAddress ip = a.getAddress();
            if (ip instanceof Inet6Address) {
                return "ip6:" + HexFormat.of().formatHex(Arrays.copyOf(ip.getAddress(), 8)) + "::/64";
            }
            return "ip:" + ip.getHostAddress();
        }
        return "unknown"; // not over TCP (an embedded channel): one shared budget
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
