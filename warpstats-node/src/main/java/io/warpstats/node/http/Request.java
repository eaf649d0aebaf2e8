package io.warpstats.node.http;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** A parsed request: decoded path segments, query parameters, the headers that matter and the body. */
record Request(String method, String path, List<String> segments, Map<String, List<String>> query,
               @Nullable String contentType, byte[] body) {

    /** The single value of query parameter {@code name}, or {@code null}. */
    @Nullable String param(String name) {
        List<String> v = query.get(name);
        if (v == null || v.isEmpty()) {
            return null;
        }
        if (v.size() > 1) {
            throw ProblemException.badRequest("invalid-parameter", "the query parameter " + name + " is given "
                    + v.size() + " times; give it once");
        }
        return v.get(0);
    }
}
