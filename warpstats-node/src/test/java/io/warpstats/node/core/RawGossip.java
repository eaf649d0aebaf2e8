package io.warpstats.node.core;

import io.warpstats.multiformats.Varint;
import io.warpstats.p2p.Host;
import io.warpstats.p2p.PeerId;
import io.warpstats.p2p.Stream;
import io.warpstats.p2p.crypto.PrivateKey;
import io.warpstats.p2p.pubsub.PubSubProtocol;
import io.warpstats.p2p.pubsub.Rpc;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Gossipsub RPCs written straight onto {@code /meshsub/1.1.0} streams of a real host, past its own
 * router: what a hostile peer sends that an honest router never would (forged signatures, foreign
 * authors' sequence numbers, floods). {@value #STREAMS_PER_PEER} streams to each peer, each with at most
 * {@value #IN_FLIGHT} writes in flight (the writer then waits for the oldest: the hostile side's memory
 * stays bounded too).
 */
final class RawGossip implements AutoCloseable {
    private static final byte[] SIGN_PREFIX = "libp2p-pubsub:".getBytes(StandardCharsets.US_ASCII);
    static final int STREAMS_PER_PEER = 4;
    static final int IN_FLIGHT = 8;
    private final List<Stream> streams;
    private final List<java.util.ArrayDeque<CompletableFuture<Void>>> inFlight = new ArrayList<>();

    private RawGossip(List<Stream> streams) {
        this.streams = streams;
        for (int i = 0; i < streams.size(); i++) inFlight.add(new java.util.ArrayDeque<>());
    }

    /** {@value #STREAMS_PER_PEER} streams to each peer. */
    static RawGossip open(Host host, List<PeerId> peers) throws Exception {
        List<Stream> out = new ArrayList<>();
        for (PeerId p : peers) {
            for (int i = 0; i < STREAMS_PER_PEER; i++) out.add(host.newStream(p, List.of(PubSubProtocol.MESHSUB_V11.id())).get(10, TimeUnit.SECONDS));
        }
        return new RawGossip(out);
    }

    /** A StrictSign message of {@code key} (valid signature). */
    static Rpc.Message signed(PrivateKey key, PeerId from, String topic, byte[] data, long seqno) {
        Rpc.Message unsigned = new Rpc.Message(from.toBytes(), data, seq(seqno), topic, null, null);
        byte[] body = encoded(unsigned);
        byte[] signed = new byte[SIGN_PREFIX.length + body.length];
        System.arraycopy(SIGN_PREFIX, 0, signed, 0, SIGN_PREFIX.length);
        System.arraycopy(body, 0, signed, SIGN_PREFIX.length, body.length);
        return new Rpc.Message(from.toBytes(), data, seq(seqno), topic, key.sign(signed), null);
    }

    /** A message claiming {@code from} with a signature that is not its author's. */
    static Rpc.Message forged(PeerId from, String topic, byte[] data, long seqno, byte[] signature) {
        return new Rpc.Message(from.toBytes(), data, seq(seqno), topic, signature, null);
    }

    /**
     * Sends {@code rpc} on stream {@code i} once fewer than {@value #IN_FLIGHT} writes are in flight there (waits at most 10 s).
     *
     * @return false if the stream is gone (the peer closed or reset it)
     */
    boolean send(int i, Rpc rpc) {
        return send(i, rpc.encode());
    }

    /** {@link #send(int, Rpc)} of an RPC already encoded. */
    boolean send(int i, byte[] encodedRpc) {
        try {
            java.util.ArrayDeque<CompletableFuture<Void>> q = inFlight.get(i);
            if (q.size() >= IN_FLIGHT) q.removeFirst().get(10, TimeUnit.SECONDS);
            q.addLast(streams.get(i).writeMessage(encodedRpc));
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    int size() { return streams.size(); }

    @Override
    public void close() {
        streams.forEach(Stream::reset);
    }

    private static byte[] seq(long seqno) {
        return ByteBuffer.allocate(8).putLong(seqno).array();
    }

    /** The message's own encoding: the RPC's field 2 without its tag and length. */
    private static byte[] encoded(Rpc.Message m) {
        byte[] rpc = Rpc.ofMessages(List.of(m)).encode();
        ByteBuffer b = ByteBuffer.wrap(rpc, 1, rpc.length - 1);
        int len = (int) Varint.decode(b);
        byte[] out = new byte[len];
        b.get(out);
        return out;
    }
}
