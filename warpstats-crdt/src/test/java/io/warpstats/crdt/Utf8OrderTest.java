package io.warpstats.crdt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link Keys#UTF8_ORDER} is code point order (= UTF-8 byte order), also across surrogate pairs and lone surrogates. */
class Utf8OrderTest {
    private static final String[] PIECES = {"a", "b", "/", "\0", "\u00e9", "\u07ff", "\u0800", "\ud7ff", "\ue000", "\uffff",
            "\ud83d\ude00", "\ud83d\ude01", "\ud800\udc00", "\udbff\udfff", "\ud83d", "\ude00"};

    /**
     * The order by definition: the strings' code point sequences compared lexicographically (a lone surrogate is
     * its own code point, as {@link String#codePoints} gives it).
     */
    private static int reference(String a, String b) {
        return Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray());
    }

    private static String random(SplittableRandom r, String prefix) {
        StringBuilder s = new StringBuilder(prefix);
        for (int n = r.nextInt(4); n > 0; n--) s.append(PIECES[r.nextInt(PIECES.length)]);
        return s.toString();
    }

    @Test
    void sameSignAsTheCodePointOrder() {
        SplittableRandom r = new SplittableRandom(14);
        for (int i = 0; i < 200_000; i++) {
            String p = random(r, "");
            String a = random(r, p), b = random(r, p);
            assertThat(Integer.signum(Keys.UTF8_ORDER.compare(a, b))).as("%s vs %s", a, b).isEqualTo(Integer.signum(reference(a, b)));
        }
    }

    @Test
    void wellFormedStringsSortAsTheirUtf8Bytes() {
        String[] s = {"/k/\ue000", "/k/\ud83d\ude00", "/k/", "/k/a", "/k/\uffff", "/k/\u00e9", "/k/\ud83d\ude00a", "/k/b"};
        String[] sorted = s.clone();
        Arrays.sort(sorted, Keys.UTF8_ORDER);
        String[] byBytes = s.clone();
        Arrays.sort(byBytes, (x, y) -> Arrays.compareUnsigned(x.getBytes(UTF_8), y.getBytes(UTF_8)));
        assertThat(sorted).containsExactly(byBytes);
    }

    @Test
    void sortUtf8WithAndWithoutSurrogates() {
        SplittableRandom r = new SplittableRandom(7);
        for (int round = 0; round < 200; round++) {
            boolean bmpOnly = round % 2 == 0;
            String[] a = new String[1 + r.nextInt(300)];
            for (int i = 0; i < a.length; i++) {
                String s;
                do {
                    s = random(r, "/likers/p" + r.nextInt(5) + "/");
                } while (bmpOnly && s.chars().anyMatch(c -> Character.isSurrogate((char) c)));
                a[i] = s;
            }
            String[] expected = a.clone();
            Arrays.sort(expected, Utf8OrderTest::reference);
            String[] sorted = a.clone();
            Keys.sortUtf8(sorted);
            assertThat(sorted).containsExactly(expected);
        }
    }
}
