package io.warpstats.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A client of one node's HTTP API (docs/http.md): one keep-alive connection pool, the bearer token on every
 * request, connect timeout {@link #CONNECT_TIMEOUT}, whole-request timeout {@link #REQUEST_TIMEOUT}, answers
 * read up to {@link #MAX_ANSWER_BYTES} bytes within the request timeout. Used by one command on one thread.
 */
final class ApiClient {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
    static final int MAX_ANSWER_BYTES = 4 << 20;
    static final ObjectMapper JSON = new ObjectMapper();

    private final ClientOptions.Endpoint endpoint;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();

    ApiClient(ClientOptions.Endpoint endpoint) {
        this.endpoint = endpoint;
    }

    String base() {
        return endpoint.base();
    }

    /** An answer: its status and body (parsed as JSON when it is JSON, else {@code null}). */
    record Answer(int status, String body, JsonNode json) {
        boolean ok() {
            return status / 100 == 2;
        }

        /** The problem's detail (or title, or the start of the body), for one line on stderr. */
        String detail() {
            if (json != null && json.hasNonNull("detail")) return json.get("detail").asText();
            if (json != null && json.hasNonNull("title")) return json.get("title").asText();
            String b = body.replaceAll("[\\p{Cntrl}]", " ");
            return b.length() > 200 ? b.substring(0, 200) + "…" : b;
        }
    }

    /**
     * Sends one request.
     *
     * @param path     the path with its query, ids already encoded ({@link #enc})
     * @param jsonBody a JSON body, or {@code null}
     * @throws OperationFailedException if the node cannot be reached or does not answer in time
     */
    Answer send(String method, String path, String jsonBody) throws InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(endpoint.base() + path)).timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json");
        if (endpoint.token() != null) {
            b.header("Authorization", "Bearer " + endpoint.token());
        }
        if (jsonBody != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(jsonBody));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<InputStream> r;
        byte[] bytes;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            InputStream in = r.body();
            CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
                try (in) {
                    return in.readNBytes(MAX_ANSWER_BYTES + 1);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            try {
                bytes = read.get(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                in.close();
                throw new OperationFailedException("node " + endpoint.base() + " did not finish its answer within " + REQUEST_TIMEOUT.toSeconds() + " s");
            } catch (ExecutionException e) {
                throw new IOException(e.getCause().getMessage(), e.getCause());
            }
        } catch (IOException e) {
            throw new OperationFailedException("node " + endpoint.base() + " unreachable: " + e, e);
        }
        if (bytes.length > MAX_ANSWER_BYTES) {
            throw new OperationFailedException("the node's answer is larger than " + MAX_ANSWER_BYTES + " bytes");
        }
        String body = new String(bytes, StandardCharsets.UTF_8);
        JsonNode json = null;
        try {
            json = body.isEmpty() ? null : JSON.readTree(body);
        } catch (IOException | RuntimeException e) {
            // not JSON: json stays null
        }
        return new Answer(r.statusCode(), body, json);
    }

    /** Percent-encodes a path segment or query value. */
    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
