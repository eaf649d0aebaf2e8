package io.warpstats.p2p.identify;

import io.warpstats.p2p.IdentifyInfo;
import io.warpstats.p2p.Multiaddr;
import io.warpstats.p2p.crypto.PublicKey;
import io.warpstats.p2p.proto.Proto;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The identify protobuf ({@code publicKey=1, listenAddrs=2, protocols=3, observedAddr=4,
 * protocolVersion=5, agentVersion=6}; {@code signedPeerRecord=8} and unknown fields are skipped).
 * Decoding is total and bounded: at most {@link #MAX_FIELDS} fields, undecodable addresses dropped.
 */
public final class IdentifyMessage {
    public static final int MAX_FIELDS = 1024;

    private IdentifyMessage() {}

    public static byte[] encode(IdentifyInfo info) {
        Proto.Writer w = new Proto.Writer();
        info.publicKey().ifPresent(k -> w.bytes(1, k.toProtobuf()));
        for (Multiaddr a : info.listenAddrs()) w.bytes(2, a.toBytes());
        for (String p : info.protocols()) w.string(3, p);
        info.observedAddr().ifPresent(a -> w.bytes(4, a.toBytes()));
        w.string(5, info.protocolVersion());
        w.string(6, info.agentVersion());
        return w.toByteArray();
    }

    /** Decodes an identify message; throws {@link IllegalArgumentException} if it is malformed. */
    public static IdentifyInfo decode(byte[] msg) {
        Optional<PublicKey> key = Optional.empty();
        Optional<Multiaddr> observed = Optional.empty();
        List<Multiaddr> addrs = new ArrayList<>();
        List<String> protocols = new ArrayList<>();
        String pv = "", av = "";
        for (Proto.Field f : Proto.decode(msg, MAX_FIELDS)) {
            if (f.wireType() != 2) continue;
            switch (f.number()) {
                case 1 -> key = Optional.of(PublicKey.fromProtobuf(f.bytes()));
                case 2 -> addr(f.bytes()).ifPresent(addrs::add);
                case 3 -> protocols.add(f.string());
                case 4 -> observed = addr(f.bytes());
                case 5 -> pv = f.string();
                case 6 -> av = f.string();
                default -> { }
            }
        }
        return new IdentifyInfo(key, pv, av, addrs, observed, protocols);
    }

    private static Optional<Multiaddr> addr(byte[] b) {
        try {
            return Optional.of(Multiaddr.fromBytes(b));
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // e.g. a transport we do not speak
        }
    }
}
