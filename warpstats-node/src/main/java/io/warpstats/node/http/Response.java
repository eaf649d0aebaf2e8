package io.warpstats.node.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** An HTTP response ready to be written. */
record Response(int status, String contentType, byte[] body, Map<String, String> headers) {
    static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
    static final String PROBLEM_TYPE = "urn:warpstats:problem:";

    static Response json(int status, Object value) {
        try {
            return new Response(status, "application/json", JSON.writeValueAsBytes(value), Map.of());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static Response text(int status, String contentType, String body) {
        return new Response(status, contentType, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /**
     * An RFC 9457 problem document.
     *
     * @param type the problem's short name: its type is {@code urn:warpstats:problem:{type}} (see docs/http.md)
     */
    static Response problem(int status, String type, String title, String detail) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("type", PROBLEM_TYPE + type);
        p.put("title", title);
        p.put("status", status);
        p.put("detail", detail);
        try {
            return new Response(status, "application/problem+json", JSON.writeValueAsBytes(p), Map.of());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    Response withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new Response(status, contentType, body, Map.copyOf(h));
    }
}
