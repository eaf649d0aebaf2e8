package io.warpstats.bench.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The nodes' HTTP API as the harness uses it: one {@link HttpClient} (HTTP/1.1, keep-alive) per
 * instance; one instance per client thread. Classifies each write as the history records it.
 */
final class NodeApi {
    static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> baseUrls;
    private final String token;
    private final Duration requestTimeout;
    private final HttpClient http;

    NodeApi(List<String> baseUrls, String token, Duration connectTimeout, Duration requestTimeout) {
        this.baseUrls = List.copyOf(baseUrls);
        this.token = token;
        this.requestTimeout = requestTimeout;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout).build();
    }

    /** The answer to a write: outcome, status (0 without an answer) and the problem name or exception. */
    record Answer(Op.Outcome outcome, int status, String problem) {}

    /** Sends one write and classifies it; never throws except when interrupted. */
    Answer write(int node, Op.Kind kind, String post, String user, String reply) throws InterruptedException {
        String base = baseUrls.get(node) + "/v1/posts/" + post;
        HttpRequest.Builder b = HttpRequest.newBuilder().timeout(requestTimeout).header("Authorization", "Bearer " + token);
        ObjectNode body = JSON.createObjectNode();
        switch (kind) {
            case LIKE -> b.uri(URI.create(base + "/likes")).POST(json(b, body.put("userId", user)));
            case UNLIKE -> b.uri(URI.create(base + "/likes/" + user)).DELETE();
            case RETWEET -> b.uri(URI.create(base + "/retweets")).POST(json(b, body.put("userId", user)));
            case UNRETWEET -> b.uri(URI.create(base + "/retweets/" + user)).DELETE();
            case REPLY -> b.uri(URI.create(base + "/replies")).POST(json(b, body.put("userId", user).put("replyId", reply)));
            case DELETE_REPLY -> b.uri(URI.create(base + "/replies/" + reply)).DELETE();
            case VIEW -> b.uri(URI.create(base + "/views")).POST(json(b, body.put("userId", user)));
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            int s = r.statusCode();
            if (s >= 200 && s < 300) return new Answer(Op.Outcome.OK, s, null);
            String problem = problemName(r.body());
            if (s == 503 && "busy".equals(problem)) return new Answer(Op.Outcome.FAIL, s, problem); // refused before it ran
            if (s >= 400 && s < 500) return new Answer(Op.Outcome.FAIL, s, problem);
            return new Answer(Op.Outcome.INDETERMINATE, s, problem);
        } catch (HttpConnectTimeoutException | ConnectException e) {
            return new Answer(Op.Outcome.FAIL, 0, e.getClass().getSimpleName()); // nothing was sent
        } catch (HttpTimeoutException e) {
            return new Answer(Op.Outcome.INDETERMINATE, 0, "HttpTimeoutException");
        } catch (IOException e) {
            return new Answer(Op.Outcome.INDETERMINATE, 0, e.getClass().getSimpleName());
        }
    }

    private static HttpRequest.BodyPublisher json(HttpRequest.Builder b, ObjectNode body) {
        b.header("Content-Type", "application/json");
        return HttpRequest.BodyPublishers.ofString(body.toString());
    }

    private static String problemName(String body) {
        try {
            JsonNode n = JSON.readTree(body);
            String type = n.path("type").asText("");
            return type.startsWith("urn:warpstats:problem:") ? type.substring("urn:warpstats:problem:".length()) : type;
        } catch (IOException | RuntimeException e) {
            return "unparsable";
        }
    }

    /** GET a JSON document; throws IOException on any non-200 answer. */
    JsonNode get(int node, String path) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(baseUrls.get(node) + path)).timeout(requestTimeout)
                .header("Authorization", "Bearer " + token).GET().build();
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IOException("GET " + path + " on node " + node + ": " + r.statusCode() + " " + r.body());
        return JSON.readTree(r.body());
    }

    /** Whether {@code /health} answers 200. */
    boolean healthy(int node) throws InterruptedException {
        try {
            get(node, "/health");
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The post's statistics, or {@code null} for 404 unknown-post. */
    JsonNode stats(int node, String post) throws IOException, InterruptedException {
        try {
            return get(node, "/v1/posts/" + post + "/stats");
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().contains(": 404 ")) return null;
            throw e;
        }
    }

    /** Every liker of the post (all pages, at most 100 pages). */
    Set<String> likers(int node, String post) throws IOException, InterruptedException {
        Set<String> out = new LinkedHashSet<>();
        String cursor = null;
        for (int page = 0; page < 100; page++) {
            JsonNode n;
            try {
                n = get(node, "/v1/posts/" + post + "/likers?limit=1000" + (cursor == null ? "" : "&cursor=" + cursor));
            } catch (IOException e) {
                if (e.getMessage() != null && e.getMessage().contains(": 404 ")) return out;
                throw e;
            }
            n.path("likers").forEach(x -> out.add(x.asText()));
            JsonNode next = n.path("nextCursor");
            if (next.isMissingNode() || next.isNull() || next.asText().isEmpty()) return out;
            cursor = java.net.URLEncoder.encode(next.asText(), java.nio.charset.StandardCharsets.UTF_8);
        }
        throw new IOException("more than 100 pages of likers");
    }

    /** The node's current heads, sorted. */
    List<String> heads(int node) throws IOException, InterruptedException {
        List<String> heads = new ArrayList<>();
        get(node, "/v1/node").path("heads").forEach(h -> heads.add(h.asText()));
        heads.sort(null);
        return heads;
    }

    /** {@code warpstats_stats_outbox} from /metrics (entries not yet in the CRDT), or -1 if absent. */
    double outbox(int node) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(baseUrls.get(node) + "/metrics")).timeout(requestTimeout)
                .header("Authorization", "Bearer " + token).GET().build();
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IOException("metrics: " + r.statusCode());
        for (String line : r.body().split("\n")) {
            if (line.startsWith("warpstats_stats_outbox")) return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
        return -1;
    }
}
