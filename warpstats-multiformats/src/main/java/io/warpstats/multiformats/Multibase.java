package io.warpstats.multiformats;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Locale;

/**
 * The multibase encodings this project prints and parses: base32 lower-case without padding
 * (prefix {@code b}, RFC 4648 alphabet) and base58btc (prefix {@code z}, Bitcoin alphabet).
 *
 * <p>Decoders reject characters outside the alphabet and non-canonical trailing bits with
 * {@link IllegalArgumentException}; they never return partial results.
 */
public final class Multibase {
    private static final String B32 = "abcdefghijklmnopqrstuvwxyz234567";
    private static final String B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    private static final int[] B58_INDEX = new int[128];
    private static final int[] B32_INDEX = new int[128];

    static {
        Arrays.fill(B58_INDEX, -1);
        Arrays.fill(B32_INDEX, -1);
        for (int i = 0; i < B58.length(); i++) B58_INDEX[B58.charAt(i)] = i;
        for (int i = 0; i < B32.length(); i++) B32_INDEX[B32.charAt(i)] = i;
    }

    private Multibase() {}

    /** Base32 (RFC 4648, lower case, no padding), without the multibase prefix. */
    public static String base32(byte[] data) {
        StringBuilder sb = new StringBuilder((data.length * 8 + 4) / 5);
        int buffer = 0, bits = 0;
        for (byte b : data) {
            buffer = (buffer << 8) | (b & 0xFF);
            bits += 8;
            while (bits >= 5) {
                sb.append(B32.charAt((buffer >>> (bits - 5)) & 31));
                bits -= 5;
            }
        }
        if (bits > 0) sb.append(B32.charAt((buffer << (5 - bits)) & 31));
        return sb.toString();
    }

    /** Decodes base32 without prefix (case-insensitive, no padding). */
    public static byte[] decodeBase32(String s) {
        String lower = s.toLowerCase(Locale.ROOT);
        byte[] out = new byte[lower.length() * 5 / 8];
        int buffer = 0, bits = 0, pos = 0;
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            int v = c < 128 ? B32_INDEX[c] : -1;
            if (v < 0) throw new IllegalArgumentException("invalid base32 character at " + i);
            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8) {
                out[pos++] = (byte) (buffer >>> (bits - 8));
                bits -= 8;
            }
        }
        if (bits >= 5 || (buffer & ((1 << bits) - 1)) != 0) {
            throw new IllegalArgumentException("invalid base32 length or trailing bits");
        }
        return out;
    }

    /** Base58btc, without the multibase prefix. */
    public static String base58(byte[] data) {
        int zeros = 0;
        while (zeros < data.length && data[zeros] == 0) zeros++;
        String digits = zeros == data.length ? "" : toBase58Digits(new BigInteger(1, data));
        return "1".repeat(zeros) + digits;
    }

    private static String toBase58Digits(BigInteger n) {
        StringBuilder sb = new StringBuilder();
        BigInteger base = BigInteger.valueOf(58);
        while (n.signum() > 0) {
            BigInteger[] qr = n.divideAndRemainder(base);
            sb.append(B58.charAt(qr[1].intValue()));
            n = qr[0];
        }
        return sb.reverse().toString();
    }

    /** Decodes base58btc without prefix. Input longer than 1024 characters is rejected. */
    public static byte[] decodeBase58(String s) {
        if (s.length() > 1024) throw new IllegalArgumentException("base58 string too long");
        int zeros = 0;
        while (zeros < s.length() && s.charAt(zeros) == '1') zeros++;
        BigInteger n = BigInteger.ZERO;
        BigInteger base = BigInteger.valueOf(58);
        for (int i = zeros; i < s.length(); i++) {
            char c = s.charAt(i);
            int v = c < 128 ? B58_INDEX[c] : -1;
            if (v < 0) throw new IllegalArgumentException("invalid base58 character at " + i);
            n = n.multiply(base).add(BigInteger.valueOf(v));
        }
        byte[] mag = n.signum() == 0 ? new byte[0] : n.toByteArray();
        int strip = mag.length > 0 && mag[0] == 0 ? 1 : 0;
        byte[] out = new byte[zeros + mag.length - strip];
        System.arraycopy(mag, strip, out, zeros, mag.length - strip);
        return out;
    }

    /** Encodes with a multibase prefix: {@code 'b'} (base32) or {@code 'z'} (base58btc). */
    public static String encode(char prefix, byte[] data) {
        return switch (prefix) {
            case 'b' -> "b" + base32(data);
            case 'z' -> "z" + base58(data);
            default -> throw new IllegalArgumentException("unsupported multibase prefix: " + prefix);
        };
    }

    /** Decodes a multibase string with prefix {@code b}, {@code B} or {@code z}. */
    public static byte[] decode(String s) {
        if (s.isEmpty()) throw new IllegalArgumentException("empty multibase string");
        return switch (s.charAt(0)) {
            case 'b', 'B' -> decodeBase32(s.substring(1));
            case 'z' -> decodeBase58(s.substring(1));
            default -> throw new IllegalArgumentException("unsupported multibase prefix: " + s.charAt(0));
        };
    }
}
