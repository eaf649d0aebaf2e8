package io.warpstats.stats;

import org.jspecify.annotations.Nullable;

/**
 * Validation of post, user and reply ids. A valid id is 1 to {@value #MAX_LENGTH} characters of
 * {@code [A-Za-z0-9._:@-]}, and is neither {@code .} nor contains {@code ..}. So an id never
 * contains {@code /} or a control character, and can never reach into another key's namespace.
 */
public final class Ids {
    /** The longest id accepted, in characters. */
    public static final int MAX_LENGTH = 128;

    private Ids() {}

    /**
     * Returns {@code id} if valid.
     *
     * @param what what the id names, for the message ({@code "post id"}, {@code "user id"})
     * @throws InvalidIdException saying which rule {@code id} breaks
     */
    public static String require(String what, @Nullable String id) {
        if (id == null || id.isEmpty()) {
            throw new InvalidIdException(what + " is missing or empty");
        }
        if (id.length() > MAX_LENGTH) {
            throw new InvalidIdException(what + " is " + id.length() + " characters long; the limit is "
                    + MAX_LENGTH);
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!allowed(c)) {
                throw new InvalidIdException(what + " \"" + printable(id) + "\" has the character "
                        + describe(c) + " at position " + (i + 1)
                        + "; allowed are letters, digits and . _ : @ -");
            }
        }
        if (id.equals(".") || id.contains("..")) {
            throw new InvalidIdException(what + " \"" + id + "\" must not be \".\" or contain \"..\"");
        }
        return id;
    }

    /** Whether {@code id} is valid (see {@link #require}). */
    public static boolean isValid(String id) {
        try {
            require("id", id);
            return true;
        } catch (InvalidIdException e) {
            return false;
        }
    }

    private static boolean allowed(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '.' || c == '_' || c == ':' || c == '@' || c == '-';
    }

    private static String describe(char c) {
        if (c < 0x20 || c == 0x7f || !Character.isDefined(c) || Character.isISOControl(c) || Character.isSurrogate(c)) {
            return String.format("U+%04X", (int) c);
        }
        return "'" + c + "' (U+" + String.format("%04X", (int) c) + ")";
    }

    private static String printable(String id) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < id.length() && sb.length() < 40; i++) {
            char c = id.charAt(i);
            sb.append(allowed(c) || (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') ? String.valueOf(c) : "?");
        }
        return sb.toString();
    }
}
