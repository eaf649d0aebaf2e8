package io.warpstats.p2p;

/**
 * Serves inbound streams of one protocol. Called on the connection's network thread once
 * multistream-select has settled on the protocol; must not block (use the stream's futures).
 * The handler owns the stream: it must close or reset it eventually (the idle timeout of the
 * connection does not apply while streams are open, and streams count towards the limit).
 */
@FunctionalInterface
public interface ProtocolHandler {
    void handle(Stream stream);
}
