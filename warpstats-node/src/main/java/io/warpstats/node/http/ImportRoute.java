package io.warpstats.node.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.warpstats.stats.InvalidIdException;
import io.warpstats.stats.LegacyTotals;
import io.warpstats.stats.Stat;
import io.warpstats.stats.StatsService;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /v1/import}: legacy totals {@code {"totals":[{"postId","likes","retweets","replies","views"},…]}}
 * into {@link StatsService#importTotals} (the import-mark rule is on {@link LegacyTotals}). The whole body
 * is validated before anything is written; a bad entry is a 400 {@code invalid-body} naming its index.
 * The body is bounded by {@link HttpConfig#maxBodyBytes()}, the entries by {@link LegacyTotals#MAX_BATCH}, the new
 * likes, retweets and replies by {@link LegacyTotals#MAX_NEW_MEMBERS} (400 invalid-parameter above it: import in
 * steps); a missing count is 0. Runs on a worker thread.
 */
final class ImportRoute {
    private static final List<String> FIELDS = List.of("postId", "likes", "retweets", "replies", "views");

    private ImportRoute() {}

    static Response handle(StatsService stats, JsonNode body) {
        JsonNode arr = body.get("totals");
        if (arr == null || !arr.isArray()) {
            throw ProblemException.badRequest("invalid-body",
                    "the body must be {\"totals\":[{\"postId\":\"p1\",\"likes\":3,\"retweets\":0,\"replies\":1,\"views\":40}, …]}");
        }
        if (arr.size() > LegacyTotals.MAX_BATCH) {
            throw ProblemException.badRequest("invalid-body", "at most " + LegacyTotals.MAX_BATCH + " totals per request, not " + arr.size());
        }
        List<LegacyTotals> totals = new ArrayList<>(arr.size());
        for (int i = 0; i < arr.size(); i++) {
            totals.add(entry(arr.get(i), i));
        }
        LegacyTotals.Outcome o = stats.importTotals(totals);
        Map<String, Object> added = new LinkedHashMap<>();
        added.put("likes", o.likes());
        added.put("retweets", o.retweets());
        added.put("replies", o.replies());
        added.put("views", o.views());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("posts", o.posts());
        out.put("changed", o.changed());
        out.put("added", added);
        return Response.json(200, out);
    }

    private static LegacyTotals entry(JsonNode e, int index) {
        String where = "totals[" + index + "]";
        if (!e.isObject()) {
            throw ProblemException.badRequest("invalid-body", where + " must be an object");
        }
        for (Iterator<String> it = e.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw ProblemException.badRequest("invalid-body", where + " has the unknown field \"" + printable(f)
                        + "\"; the fields are " + String.join(", ", FIELDS));
            }
        }
        JsonNode post = e.get("postId");
        if (post == null || !post.isTextual()) {
            throw ProblemException.badRequest("invalid-body", where + " needs a string field \"postId\"");
        }
        long[] v = new long[Stat.values().length];
        for (Stat s : Stat.values()) {
            JsonNode n = e.get(s.key());
            if (n == null) {
                continue;
            }
            if (!n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < 0 || n.asLong() > LegacyTotals.max(s)) {
                throw ProblemException.badRequest("invalid-body", where + "." + s.key() + " must be a whole number from 0 to "
                        + LegacyTotals.max(s));
            }
            v[s.ordinal()] = n.asLong();
        }
        try {
            return new LegacyTotals(post.textValue(), v[0], v[1], v[2], v[3]);
        } catch (InvalidIdException e2) {
            throw ProblemException.badRequest("invalid-id", where + ": " + e2.getMessage());
        }
    }

    private static String printable(String s) {
        return ApiHandler.printable(s);
    }
}
