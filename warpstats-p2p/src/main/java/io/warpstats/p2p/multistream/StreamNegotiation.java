package io.warpstats.p2p.multistream;

import io.warpstats.p2p.ProtocolViolationException;
import io.warpstats.p2p.Stream;
import java.io.EOFException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * multistream-select on a stream, asynchronously. {@link #select} (the opener) pipelines the header
 * with its first proposal and falls back to the next one after {@code na}; {@link #accept} (the
 * listener) answers {@code na} to unknown proposals and waits for another, up to a bound.
 */
public final class StreamNegotiation {
    private StreamNegotiation() {}

    /** Completes with the protocol the remote accepted, or fails if it accepted none. */
    public static CompletableFuture<String> select(Stream s, List<String> protocols, int maxMessage) {
        if (protocols.isEmpty()) return CompletableFuture.failedFuture(new IllegalArgumentException("no protocol proposed"));
        byte[] header = Multistream.encode(Multistream.PROTOCOL_ID);
        byte[] first = Multistream.encode(protocols.get(0));
        byte[] both = new byte[header.length + first.length];
        System.arraycopy(header, 0, both, 0, header.length);
        System.arraycopy(first, 0, both, header.length, first.length);
        s.write(both);
        return readText(s, maxMessage).thenCompose(h -> {
            if (!h.equals(Multistream.PROTOCOL_ID)) throw new CompletionFailure("unexpected multistream header: " + h);
            return answer(s, protocols, 0, maxMessage);
        });
    }

    private static CompletableFuture<String> answer(Stream s, List<String> protocols, int index, int maxMessage) {
        return readText(s, maxMessage).thenCompose(a -> {
            String proposed = protocols.get(index);
            if (a.equals(proposed)) return CompletableFuture.completedFuture(proposed);
            if (!a.equals(Multistream.NA)) throw new CompletionFailure("unexpected multistream answer: " + a);
            if (index + 1 >= protocols.size()) throw new CompletionFailure("remote supports none of " + protocols);
            s.write(Multistream.encode(protocols.get(index + 1)));
            return answer(s, protocols, index + 1, maxMessage);
        });
    }

    /** Completes with the first proposal {@code supported} accepts; fails after {@code maxAttempts} refusals. */
    public static CompletableFuture<String> accept(Stream s, Predicate<String> supported, int maxMessage, int maxAttempts) {
        s.write(Multistream.encode(Multistream.PROTOCOL_ID));
        return readText(s, maxMessage).thenCompose(h -> {
            if (!h.equals(Multistream.PROTOCOL_ID)) throw new CompletionFailure("unexpected multistream header: " + h);
            return proposal(s, supported, maxMessage, maxAttempts);
        });
    }

    private static CompletableFuture<String> proposal(Stream s, Predicate<String> supported, int maxMessage, int attemptsLeft) {
        return readText(s, maxMessage).thenCompose(p -> {
            if (supported.test(p)) {
                s.write(Multistream.encode(p));
                return CompletableFuture.completedFuture(p);
            }
            if (attemptsLeft <= 1) throw new CompletionFailure("too many multistream proposals");
            s.write(Multistream.encode(Multistream.NA));
            return proposal(s, supported, maxMessage, attemptsLeft - 1);
        });
    }

    private static CompletableFuture<String> readText(Stream s, int maxMessage) {
        return s.readMessage(maxMessage).thenApply(body -> {
            if (body == null) throw new CompletionFailure(new EOFException("stream closed during multistream negotiation"));
            try {
                return Multistream.parse(body);
            } catch (ProtocolViolationException e) {
                throw new CompletionFailure(e);
            }
        });
    }

    /** Carries a checked cause through a future chain. */
    static final class CompletionFailure extends java.util.concurrent.CompletionException {
        CompletionFailure(String message) { super(new ProtocolViolationException(message)); }
        CompletionFailure(Throwable cause) { super(cause); }
    }
}
