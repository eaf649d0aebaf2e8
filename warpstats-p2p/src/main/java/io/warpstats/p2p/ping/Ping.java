package io.warpstats.p2p.ping;

import io.warpstats.p2p.Connection;
import io.warpstats.p2p.ProtocolHandler;
import io.warpstats.p2p.ProtocolViolationException;
import io.warpstats.p2p.Stream;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@code /ipfs/ping/1.0.0}: the dialer sends 32 random bytes, the listener sends them back, as
 * often as the dialer likes on one stream. The listener echoes whatever it reads, one read at a
 * time, waiting for each write (so a flood is paced by the sender's own window).
 */
public final class Ping {
    public static final String PROTOCOL = "/ipfs/ping/1.0.0";
    private static final SecureRandom RNG = new SecureRandom();

    private Ping() {}

    /** The listener side. */
    public static ProtocolHandler handler() {
        return Ping::serve;
    }

    private static void serve(Stream s) {
        s.read().whenComplete((b, e) -> {
            if (e != null) { s.reset(); return; }
            if (b == null) { s.close(); return; }
            s.write(b).whenComplete((v, we) -> {
                if (we != null) s.reset();
                else serve(s);
            });
        });
    }

    /** {@code count} round trips on one new stream; completes with their durations. */
    public static CompletableFuture<List<Duration>> ping(Connection c, int count) {
        return c.newStream(List.of(PROTOCOL)).thenCompose(s -> {
            List<Duration> out = new ArrayList<>();
            return loop(s, count, out).whenComplete((v, e) -> { if (e != null) s.reset(); else s.close(); }).thenApply(v -> out);
        });
    }

    private static CompletableFuture<Void> loop(Stream s, int remaining, List<Duration> out) {
        if (remaining <= 0) return CompletableFuture.completedFuture(null);
        return roundTrip(s).thenCompose(d -> {
            out.add(d);
            return loop(s, remaining - 1, out);
        });
    }

    /** One round trip on a ping stream. */
    public static CompletableFuture<Duration> roundTrip(Stream s) {
        byte[] payload = new byte[32];
        RNG.nextBytes(payload);
        long t0 = System.nanoTime();
        s.write(payload);
        return s.readExactly(32).thenApply(back -> {
            if (!Arrays.equals(back, payload)) throw new java.util.concurrent.CompletionException(new ProtocolViolationException("ping payload mismatch"));
            return Duration.ofNanos(System.nanoTime() - t0);
        });
    }
}
