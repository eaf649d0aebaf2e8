package io.warpstats.stats;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Opaque pagination cursors: base64url of the last key suffix returned, with a version letter. */
final class Cursors {
    private Cursors() {}

    static String encode(String lastKeySuffix) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("1" + lastKeySuffix).getBytes(StandardCharsets.UTF_8));
    }

    static String decode(String cursor) {
        String s;
        try {
            if (cursor.length() > 400) {
                throw new IllegalArgumentException();
            }
            s = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw bad(cursor);
        }
        if (!s.startsWith("1")) {
            throw bad(cursor);
        }
        return s.substring(1);
    }

    /** A cursor whose content is an id. */
    static String decodeId(String cursor) {
        String s = decode(cursor);
        if (!Ids.isValid(s)) {
            throw bad(cursor);
        }
        return s;
    }

    /** A cursor of {@link StatsService#likedBy}: {@code {16 hex}/{postId}}. */
    static String decodeLikedBy(String cursor) {
        String s = decode(cursor);
        if (s.length() < 18 || s.charAt(16) != '/' || !s.substring(0, 16).matches("[0-9a-f]{16}")
                || !Ids.isValid(s.substring(17))) {
            throw bad(cursor);
        }
        return s;
    }

    private static StatsException bad(String cursor) {
        return new StatsException(StatsException.Problem.INVALID_ARGUMENT,
                "the cursor is not one this server returned; start again without a cursor");
    }
}
