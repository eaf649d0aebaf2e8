package io.warpstats.p2p.echo;

import io.warpstats.p2p.Connection;
import io.warpstats.p2p.ProtocolHandler;
import io.warpstats.p2p.Stream;
import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * {@code /interop/echo/1.0.0}, the request/response protocol of the shared js interop peer: read one
 * varint-length-prefixed request (at most {@link #MAX_REQUEST} bytes), answer {@code "echo:" +
 * request}, close.
 */
public final class Echo {
    public static final String PROTOCOL = "/interop/echo/1.0.0";
    public static final int MAX_REQUEST = 64 * 1024;

    private Echo() {}

    public static ProtocolHandler handler() {
        return s -> s.readMessage(MAX_REQUEST).whenComplete((req, e) -> {
            if (e != null || req == null) { s.reset(); return; }
            byte[] prefix = "echo:".getBytes(StandardCharsets.UTF_8);
            byte[] resp = new byte[prefix.length + req.length];
            System.arraycopy(prefix, 0, resp, 0, prefix.length);
            System.arraycopy(req, 0, resp, prefix.length, req.length);
            s.writeMessage(resp);
            s.close();
        });
    }

    /** Sends {@code text} and completes with the answer. */
    public static CompletableFuture<String> request(Connection c, String text) {
        return c.newStream(List.of(PROTOCOL)).thenCompose(s -> request(s, text));
    }

    /** Sends {@code text} on an echo stream and completes with the answer. */
    public static CompletableFuture<String> request(Stream s, String text) {
        s.writeMessage(text.getBytes(StandardCharsets.UTF_8));
        return s.readMessage(MAX_REQUEST + 5).thenApply(b -> {
            s.close();
            if (b == null) throw new CompletionException(new EOFException("echo stream closed without an answer"));
            return new String(b, StandardCharsets.UTF_8);
        }).whenComplete((v, e) -> { if (e != null) s.reset(); });
    }
}
