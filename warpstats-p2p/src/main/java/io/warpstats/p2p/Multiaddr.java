package io.warpstats.p2p;

import io.warpstats.multiformats.Varint;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A multiaddr restricted to the protocols a TCP libp2p node needs: {@code /ip4}, {@code /ip6},
 * {@code /tcp}, {@code /dns4}, {@code /dns6}, {@code /dns}, {@code /p2p}. Parsed from text or the
 * binary form; both parsers are total: any input either yields a valid address or throws
 * {@link IllegalArgumentException}, within {@link #MAX_BYTES}/{@link #MAX_COMPONENTS} bounds.
 * Immutable; equality is on the binary form. Parsing never resolves names.
 */
public final class Multiaddr {
    /** Longest accepted binary or text form. */
    public static final int MAX_BYTES = 1024;
    /** Most components accepted. */
    public static final int MAX_COMPONENTS = 16;

    /** The supported protocols: multicodec code and value size in bytes ({@code -1}: varint-length-prefixed). */
    public enum Protocol {
        IP4(4, 4, "ip4"), TCP(6, 2, "tcp"), IP6(41, 16, "ip6"), DNS(53, -1, "dns"), DNS4(54, -1, "dns4"),
        DNS6(55, -1, "dns6"), P2P(421, -1, "p2p");

        public final int code;
        final int size;
        public final String text;

        Protocol(int code, int size, String text) { this.code = code; this.size = size; this.text = text; }

        static Protocol ofCode(long code) {
            for (Protocol p : values()) if (p.code == code) return p;
            throw new IllegalArgumentException("unsupported multiaddr protocol code " + code);
        }

        static Protocol ofName(String name) {
            for (Protocol p : values()) if (p.text.equals(name)) return p;
            if (name.equals("ipfs")) return P2P;
            throw new IllegalArgumentException("unsupported multiaddr protocol /" + name);
        }
    }

    /** One {@code /protocol/value} pair; {@code value} is the binary value. */
    public record Component(Protocol protocol, byte[] value) {
        public Component { value = value.clone(); }
        @Override public byte[] value() { return value.clone(); }
        @Override public boolean equals(@Nullable Object o) { return o instanceof Component c && c.protocol == protocol && Arrays.equals(c.value, value); }
        @Override public int hashCode() { return protocol.hashCode() * 31 + Arrays.hashCode(value); }
        @Override public String toString() { return "/" + protocol.text + "/" + valueText(protocol, value); }
    }

    private final List<Component> components;
    private final byte[] bytes;

    private Multiaddr(List<Component> components) {
        if (components.isEmpty()) throw new IllegalArgumentException("empty multiaddr");
        if (components.size() > MAX_COMPONENTS) throw new IllegalArgumentException("too many multiaddr components");
        this.components = List.copyOf(components);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Component c : this.components) {
            out.writeBytes(Varint.encode(c.protocol.code));
            byte[] v = c.value;
            if (c.protocol.size < 0) out.writeBytes(Varint.encode(v.length));
            out.writeBytes(v);
        }
        this.bytes = out.toByteArray();
        if (bytes.length > MAX_BYTES) throw new IllegalArgumentException("multiaddr too long");
    }

    /** Parses the text form, e.g. {@code /ip4/127.0.0.1/tcp/4001/p2p/12D3KooW…}. */
    public static Multiaddr parse(String text) {
        if (text == null || text.length() > MAX_BYTES * 2) throw new IllegalArgumentException("multiaddr too long");
        if (!text.startsWith("/")) throw new IllegalArgumentException("multiaddr must start with /");
        String[] parts = text.substring(1).split("/", -1);
        if (parts.length > MAX_COMPONENTS * 2) throw new IllegalArgumentException("too many multiaddr components");
        List<Component> out = new ArrayList<>();
        int i = 0;
        while (i < parts.length) {
            if (i == parts.length - 1 && parts[i].isEmpty() && i > 0) break; // trailing slash
            Protocol p = Protocol.ofName(parts[i]);
            if (i + 1 >= parts.length) throw new IllegalArgumentException("missing value for /" + p.text);
            out.add(new Component(p, valueBytes(p, parts[i + 1])));
            i += 2;
        }
        return new Multiaddr(out);
    }

    /** Parses the binary form. */
    public static Multiaddr fromBytes(byte[] data) {
        if (data.length > MAX_BYTES) throw new IllegalArgumentException("multiaddr too long");
        List<Component> out = new ArrayList<>();
        int[] pos = {0};
        while (pos[0] < data.length) {
            if (out.size() >= MAX_COMPONENTS) throw new IllegalArgumentException("too many multiaddr components");
            Protocol p = Protocol.ofCode(readVarint(data, pos));
            int len = p.size >= 0 ? p.size : (int) Math.min(Integer.MAX_VALUE, readVarint(data, pos));
            if (len > data.length - pos[0]) throw new IllegalArgumentException("truncated multiaddr");
            byte[] v = Arrays.copyOfRange(data, pos[0], pos[0] + len);
            pos[0] += len;
            validate(p, v);
            out.add(new Component(p, v));
        }
        return new Multiaddr(out);
    }

    /** {@code /ip4|ip6/HOST/tcp/PORT} of a socket address. */
    public static Multiaddr of(InetSocketAddress address) {
        byte[] ip = address.getAddress().getAddress();
        Protocol p = ip.length == 4 ? Protocol.IP4 : Protocol.IP6;
        int port = address.getPort();
        return new Multiaddr(List.of(new Component(p, ip), new Component(Protocol.TCP, new byte[] {(byte) (port >>> 8), (byte) port})));
    }

    public List<Component> components() { return components; }

    public byte[] toBytes() { return bytes.clone(); }

    /** The peer id of the last {@code /p2p} component, if any. */
    public Optional<PeerId> peerId() {
        for (int i = components.size() - 1; i >= 0; i--) {
            if (components.get(i).protocol == Protocol.P2P) return Optional.of(PeerId.fromBytes(components.get(i).value));
        }
        return Optional.empty();
    }

    /** This address with {@code /p2p/peer} appended (replacing a trailing {@code /p2p}). */
    public Multiaddr withPeerId(PeerId peer) {
        List<Component> out = new ArrayList<>(withoutPeerId().components);
        out.add(new Component(Protocol.P2P, peer.toBytes()));
        return new Multiaddr(out);
    }

    /** This address without a trailing {@code /p2p} component. */
    public Multiaddr withoutPeerId() {
        if (components.get(components.size() - 1).protocol != Protocol.P2P) return this;
        if (components.size() == 1) throw new IllegalArgumentException("multiaddr has only a /p2p component");
        return new Multiaddr(components.subList(0, components.size() - 1));
    }

    /** {@link #withoutPeerId()}, or this address if it is only a {@code /p2p} component. */
    public Multiaddr withoutPeerIdSafe() {
        return components.size() > 1 ? withoutPeerId() : this;
    }

    /**
     * The TCP endpoint, for {@code /ip4|ip6|dns|dns4|dns6/H/tcp/P[/p2p/…]}: unresolved for DNS names
     * (the caller resolves), never a lookup here.
     */
    public Optional<InetSocketAddress> tcpAddress() {
        if (components.size() < 2 || components.get(1).protocol != Protocol.TCP) return Optional.empty();
        if (components.size() > 3 || (components.size() == 3 && components.get(2).protocol != Protocol.P2P)) return Optional.empty();
        Component host = components.get(0);
        int port = ((components.get(1).value[0] & 0xFF) << 8) | (components.get(1).value[1] & 0xFF);
        try {
            return switch (host.protocol) {
                case IP4, IP6 -> Optional.of(new InetSocketAddress(InetAddress.getByAddress(host.value), port));
                case DNS, DNS4, DNS6 -> Optional.of(InetSocketAddress.createUnresolved(new String(host.value, StandardCharsets.UTF_8), port));
                default -> Optional.empty();
            };
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Component c : components) sb.append(c);
        return sb.toString();
    }

    @Override
    public boolean equals(@Nullable Object o) { return o instanceof Multiaddr m && Arrays.equals(m.bytes, bytes); }

    @Override
    public int hashCode() { return Arrays.hashCode(bytes); }

    private static long readVarint(byte[] data, int[] pos) {
        long v = 0;
        for (int shift = 0; shift < 63; shift += 7) {
            if (pos[0] >= data.length) throw new IllegalArgumentException("truncated varint in multiaddr");
            int b = data[pos[0]++] & 0xFF;
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                if (b == 0 && shift > 0) throw new IllegalArgumentException("non-minimal varint in multiaddr");
                return v;
            }
        }
        throw new IllegalArgumentException("varint too long in multiaddr");
    }

    private static void validate(Protocol p, byte[] v) {
        switch (p) {
            case DNS, DNS4, DNS6 -> checkDns(new String(v, StandardCharsets.UTF_8), v.length);
            case P2P -> PeerId.fromBytes(v);
            default -> { if (v.length != p.size) throw new IllegalArgumentException("bad /" + p.text + " value length"); }
        }
    }

    private static void checkDns(String name, int byteLength) {
        if (name.isEmpty() || byteLength > 255) throw new IllegalArgumentException("bad dns name length");
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(Character.isLetterOrDigit(c) && c < 128 || c == '-' || c == '.' || c == '_')) {
                throw new IllegalArgumentException("bad character in dns name");
            }
        }
    }

    private static byte[] valueBytes(Protocol p, String s) {
        switch (p) {
            case IP4: return parseIp4(s);
            case IP6: return parseIp6(s);
            case TCP: {
                if (s.isEmpty() || s.length() > 5 || !s.chars().allMatch(ch -> ch >= '0' && ch <= '9')) throw new IllegalArgumentException("bad tcp port " + s);
                int port = Integer.parseInt(s);
                if (port > 65535) throw new IllegalArgumentException("tcp port out of range");
                return new byte[] {(byte) (port >>> 8), (byte) port};
            }
            case P2P: return PeerId.parse(s).toBytes();
            default: {
                byte[] v = s.getBytes(StandardCharsets.UTF_8);
                checkDns(s, v.length);
                return v;
            }
        }
    }

    private static byte[] parseIp4(String s) {
        String[] q = s.split("\\.", -1);
        if (q.length != 4) throw new IllegalArgumentException("bad ip4 address " + s);
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            String d = q[i];
            if (d.isEmpty() || d.length() > 3 || !d.chars().allMatch(ch -> ch >= '0' && ch <= '9')) throw new IllegalArgumentException("bad ip4 address " + s);
            int v = Integer.parseInt(d);
            if (v > 255) throw new IllegalArgumentException("bad ip4 address " + s);
            out[i] = (byte) v;
        }
        return out;
    }

    private static byte[] parseIp6(String s) {
        if (s.isEmpty() || s.length() > 45 || !s.chars().allMatch(ch -> Character.digit(ch, 16) >= 0 || ch == ':' || ch == '.')
                || s.indexOf(':') < 0) {
            throw new IllegalArgumentException("bad ip6 address " + s);
        }
        try {
            byte[] b = InetAddress.getByName(s).getAddress(); // a literal: no lookup
            if (b.length == 4) { // IPv4-mapped: keep the 16-byte form
                byte[] out = new byte[16];
                out[10] = (byte) 0xFF; out[11] = (byte) 0xFF;
                System.arraycopy(b, 0, out, 12, 4);
                return out;
            }
            return b;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("bad ip6 address " + s);
        }
    }

    private static String valueText(Protocol p, byte[] v) {
        return switch (p) {
            case IP4 -> (v[0] & 0xFF) + "." + (v[1] & 0xFF) + "." + (v[2] & 0xFF) + "." + (v[3] & 0xFF);
            case IP6 -> ip6Text(v);
            case TCP -> Integer.toString(((v[0] & 0xFF) << 8) | (v[1] & 0xFF));
            case P2P -> PeerId.fromBytes(v).toString();
            default -> new String(v, StandardCharsets.UTF_8);
        };
    }

    /** RFC 5952 text: lower-case hex, the longest run (≥ 2) of zero groups as {@code ::}. */
    private static String ip6Text(byte[] v) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) g[i] = ((v[2 * i] & 0xFF) << 8) | (v[2 * i + 1] & 0xFF);
        int bestStart = -1, bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) { i++; continue; }
            int j = i;
            while (j < 8 && g[j] == 0) j++;
            if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) { sb.append(i == 0 ? "::" : ":"); i += bestLen - 1; continue; }
            sb.append(Integer.toHexString(g[i]));
            if (i < 7) sb.append(':');
        }
        return sb.toString();
    }
}
