package io.warpstats.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The commit's key sort (8 bytes at a time, shared prefixes skipped) orders exactly like an unsigned byte comparison. */
class TxnSortTest {

    @SuppressWarnings("unchecked")
    private static void check(List<byte[]> keys) {
        Map.Entry<Txn.Key, byte[]>[] es = new Map.Entry[keys.size()];
        for (int i = 0; i < es.length; i++) es[i] = new AbstractMap.SimpleEntry<>(new Txn.Key(keys.get(i)), keys.get(i));
        Txn.sortEntries(es);
        List<byte[]> expected = new ArrayList<>(keys);
        expected.sort(Arrays::compareUnsigned);
        for (int i = 0; i < es.length; i++) assertThat(es[i].getKey().b).as("position %d", i).isEqualTo(expected.get(i));
    }

    @Test
    void ordersLikeUnsignedByteComparison() {
        Random r = new Random(42);
        String[] prefixes = {"/CRDT/e//incr/likes/post-", "/CRDT/v//incr/likes/post-", "/CRDT/b/", "/CRDT/h/\0", "/CRDT/p/", ""};
        for (int round = 0; round < 300; round++) {
            Set<String> seen = new HashSet<>();
            List<byte[]> keys = new ArrayList<>();
            int n = 1 + r.nextInt(400);
            for (int i = 0; i < n; i++) {
                StringBuilder sb = new StringBuilder(prefixes[r.nextInt(prefixes.length)]);
                int tail = r.nextInt(24);
                for (int j = 0; j < tail; j++) sb.append((char) (r.nextInt(4) == 0 ? r.nextInt(3) : '0' + r.nextInt(3))); // short alphabet incl. \0: many ties
                if (!seen.add(sb.toString())) continue;
                byte[] k = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
                if (r.nextInt(10) == 0 && k.length > 0) k[k.length - 1] = (byte) (0x80 + r.nextInt(0x80)); // high bytes: unsigned order
                keys.add(k);
            }
            // keys made unique by bytes
            Set<String> uniq = new HashSet<>();
            keys.removeIf(k -> !uniq.add(Arrays.toString(k)));
            check(keys);
        }
    }

    @Test
    void prefixesEmptyKeysAndLongSharedPrefixes() {
        String longPrefix = "x".repeat(300);
        check(List.of(new byte[0], "a".getBytes(), "a\0".getBytes(), "a\0\0".getBytes(), "ab".getBytes(), (longPrefix + "b").getBytes(),
                (longPrefix + "a").getBytes(), longPrefix.getBytes(), (longPrefix + "a\0").getBytes(), "abcdefgh".getBytes(), "abcdefghi".getBytes(),
                "abcdefg".getBytes()));
    }

    @Test
    void hashSpreadsAndAgreesWithEquality() {
        Set<Integer> hashes = new HashSet<>();
        for (int i = 0; i < 10_000; i++) hashes.add(new Txn.Key(("/CRDT/v//incr/likes/post-" + i + "-0/12D3KooWpeer/1").getBytes()).hash);
        assertThat(hashes.size()).isGreaterThan(9_990);
        assertThat(new Txn.Key("same key of 33 bytes, 8-byte steps".getBytes())).isEqualTo(new Txn.Key("same key of 33 bytes, 8-byte steps".getBytes()));
    }

    @Test
    void largeFamiliesSharingLongPrefixes() {
        // one stage of likes: thousands of keys equal in the 5 bytes after the family's prefix, then per post
        Random r = new Random(14);
        for (int round = 0; round < 20; round++) {
            Set<String> seen = new HashSet<>();
            List<byte[]> keys = new ArrayList<>();
            int n = 100 + r.nextInt(5_000);
            for (int i = 0; i < n; i++) {
                String k = switch (r.nextInt(4)) {
                    case 0 -> "/CRDT/e//likers/p" + r.nextInt(50) + "/u" + r.nextInt(1_000_000) + "\0/CIQ" + r.nextInt(1000);
                    case 1 -> "/CRDT/v//likers/p" + r.nextInt(50) + "/u" + r.nextInt(1_000_000);
                    case 2 -> "/CRDT/e//activity/p" + r.nextInt(50) + "/node" + (r.nextBoolean() ? "" : "\0" + r.nextInt(3));
                    default -> "/CRDT/s/members/likes/p" + r.nextInt(50) + (r.nextInt(8) == 0 ? "\0\0" : "");
                };
                if (seen.add(k)) keys.add(k.getBytes(StandardCharsets.UTF_8));
            }
            check(keys);
        }
    }
}
