package io.warpstats.node.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.warpstats.stats.Action;
import io.warpstats.stats.Ids;
import io.warpstats.stats.Source;
import io.warpstats.stats.LikedPost;
import io.warpstats.stats.Page;
import io.warpstats.stats.PostStats;
import io.warpstats.stats.StatsException;
import io.warpstats.stats.StatsService;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * Maps a {@link Request} to a {@link Response}: the endpoints of docs/http.md. {@link #handle} runs on worker
 * threads; {@link #write} parses and queues on the caller's thread without blocking.
 */
final class Routes {
    static final int DEFAULT_LIMIT = 50;
    private final StatsService stats;
    private final CachedNodeInfo node;
    private final ApiMetrics metrics;
    private final DashboardHistory history;
    private final RemotePosts remote;
    private final byte[] dashboard = resource("dashboard.html");
    private final byte[] openapi = resource("openapi.json");

    Routes(StatsService stats, CachedNodeInfo node, ApiMetrics metrics, DashboardHistory history, RemotePosts remote) {
        this.stats = stats;
        this.node = node;
        this.metrics = metrics;
        this.history = history;
        this.remote = remote;
    }

    /**
     * {@code GET /v1/posts/{id}/stats} of a post this node does not hold (its shard is not followed): the
     * totals of a node that holds it, asked without blocking; the answer is formed on {@code readers}. If no
     * such node answers, this node's own counts of the post with {@code "partial": true}. Empty for every other
     * request (they run through {@link #handle}).
     */
    Optional<CompletableFuture<Response>> remoteRead(String template, Request r, Executor readers) {
        if (remote == RemotePosts.NONE || !template.equals("/v1/posts/{id}/stats") || !r.method().equals("GET")) return Optional.empty();
        String post = r.segments().get(2);
        if (!Ids.isValid(post) || !remote.isRemote(post)) return Optional.empty();
        return Optional.of(remote.read(post).handleAsync((a, e) -> {
            RemotePosts.Answer answer = a == null ? RemotePosts.Answer.UNAVAILABLE : a;
            return switch (answer.outcome()) {
                case FOUND -> statsResponse(200, answer.stats(), false);
                case UNKNOWN -> problem(new StatsException(StatsException.Problem.UNKNOWN_POST, "no statistics for post " + post)).response();
                case UNAVAILABLE -> {
                    PostStats own;
                    try {
                        own = stats.stats(post);
                    } catch (StatsException unknown) {
                        own = new PostStats(post, 0, 0, 0, 0, null, Source.LOCAL);
                    }
                    yield statsResponse(200, own, true);
                }
            };
        }, readers));
    }

    /** The route template of {@code r} (for metrics and 405), or {@code null} if no route matches the path. */
    static @Nullable String template(List<String> s) {
        int n = s.size();
        if (n == 0) {
            return "/";
        }
        if (n == 1) {
            return switch (s.get(0)) {
                case "openapi.json" -> "/openapi.json";
                case "health" -> "/health";
                case "metrics" -> "/metrics";
                default -> null;
            };
        }
        if (!s.get(0).equals("v1")) {
            return null;
        }
        if (n == 2 && s.get(1).equals("import")) {
            return "/v1/import";
        }
        if (n == 2 && (s.get(1).equals("node") || s.get(1).equals("dashboard"))) {
            return "/v1/" + s.get(1);
        }
        if (n == 4 && s.get(1).equals("users") && s.get(3).equals("likes")) {
            return "/v1/users/{id}/likes";
        }
        if (!s.get(1).equals("posts") || n < 4 || n > 5) {
            return null;
        }
        String what = s.get(3);
        if (n == 4 && List.of("likes", "retweets", "replies", "views", "stats", "likers").contains(what)) {
            return "/v1/posts/{id}/" + what;
        }
        if (n == 5 && what.equals("likes")) {
            return "/v1/posts/{id}/likes/{userId}";
        }
        if (n == 5 && what.equals("retweets")) {
            return "/v1/posts/{id}/retweets/{userId}";
        }
        if (n == 5 && what.equals("replies")) {
            return "/v1/posts/{id}/replies/{replyId}";
        }
        return null;
    }

    /** The methods {@code template} allows. */
    static List<String> methods(String template) {
        return switch (template) {
            case "/v1/posts/{id}/likes", "/v1/posts/{id}/retweets", "/v1/posts/{id}/replies",
                    "/v1/posts/{id}/views", "/v1/import" -> List.of("POST");
            case "/v1/posts/{id}/likes/{userId}", "/v1/posts/{id}/retweets/{userId}",
                    "/v1/posts/{id}/replies/{replyId}" -> List.of("DELETE");
            default -> List.of("GET", "HEAD");
        };
    }

    Response handle(String template, Request r) {
        List<String> s = r.segments();
        try {
            return switch (template) {
                case "/" -> new Response(200, "text/html; charset=utf-8", dashboard, Map.of());
                case "/openapi.json" -> new Response(200, "application/json", openapi, Map.of());
                case "/health" -> health();
                case "/metrics" -> Response.text(200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
                case "/v1/node" -> Response.json(200, node.get());
                case "/v1/dashboard" -> dashboard();
                case "/v1/users/{id}/likes" -> likedBy(s.get(2), r);
                case "/v1/posts/{id}/stats" -> statsResponse(200, stats.stats(s.get(2)), remote.isRemote(s.get(2)));
                case "/v1/posts/{id}/likers" -> likers(s.get(2), r);
                case "/v1/import" -> ImportRoute.handle(stats, body(r, true));
                default -> throw new IllegalArgumentException("not a read: " + template);
            };
        } catch (StatsException e) {
            metrics.operation(operation(template), outcome(e));
            throw problem(e);
        }
    }

    /** Whether {@code template} is a write handled by {@link #write}. */
    static boolean isWrite(String template) {
        return !template.equals("/v1/import") && !methods(template).contains("GET");
    }

    /**
     * Starts a write without blocking: parses the request (a bad one throws {@link ProblemException} at once)
     * and submits its action to the group commit. The future yields the answer once the write is durable:
     * the post's statistics (read on {@code readers}), or the problem the write met.
     */
    CompletableFuture<Response> write(String template, Request r, Executor readers) {
        String op = operation(template);
        Action action;
        try {
            action = action(template, r.segments(), r);
        } catch (StatsException e) {
            metrics.operation(op, outcome(e));
            throw problem(e);
        }
        int status = template.equals("/v1/posts/{id}/likes") || template.equals("/v1/posts/{id}/retweets")
                || template.equals("/v1/posts/{id}/replies") ? 201 : 200;
        return stats.submit(action).handleAsync((done, failure) -> {
            try {
                if (failure != null) {
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
                    if (cause instanceof StatsException e) {
                        metrics.operation(op, outcome(e));
                        return problem(e).response();
                    }
                    throw new IllegalStateException("the write failed", cause);
                }
                metrics.operation(op, "ok");
                return statsResponse(status, stats.stats(action.postId()), remote.isRemote(action.postId()));
            } catch (StatsException e) {
                return problem(e).response();
            }
        }, readers);
    }

    private static Action action(String template, List<String> s, Request r) {
        String post = s.get(2);
        return switch (template) {
            case "/v1/posts/{id}/likes" -> new Action.Like(post, field(body(r, true), "userId"));
            case "/v1/posts/{id}/likes/{userId}" -> new Action.Unlike(post, s.get(4));
            case "/v1/posts/{id}/retweets" -> new Action.Retweet(post, field(body(r, true), "userId"));
            case "/v1/posts/{id}/retweets/{userId}" -> new Action.Unretweet(post, s.get(4));
            case "/v1/posts/{id}/replies" -> {
                JsonNode body = body(r, true);
                yield new Action.Reply(post, field(body, "userId"), field(body, "replyId"));
            }
            case "/v1/posts/{id}/replies/{replyId}" -> new Action.DeleteReply(post, s.get(4));
            case "/v1/posts/{id}/views" -> {
                JsonNode body = body(r, false);
                yield new Action.View(post, body == null || !body.has("userId") ? null : field(body, "userId"));
            }
            default -> throw new IllegalStateException(template);
        };
    }

    private static String outcome(StatsException e) {
        return e.problem().name().toLowerCase(java.util.Locale.ROOT);
    }

    private Response health() {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("status", "up");
        h.put("source", stats.source().key());
        h.put("nodeId", stats.nodeId());
        return Response.json(200, h);
    }

    private Response likers(String post, Request r) {
        Page<String> page = stats.likers(post, r.param("cursor"), limit(r));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("postId", post);
        out.put("likers", page.items());
        out.put("nextCursor", page.nextCursor());
        out.put("source", page.source().key());
        return Response.json(200, out);
    }

    private Response likedBy(String user, Request r) {
        Page<LikedPost> page = stats.likedBy(user, r.param("cursor"), limit(r));
        List<Map<String, Object>> items = new ArrayList<>();
        for (LikedPost p : page.items()) {
            items.add(Map.of("postId", p.postId(), "likedAt", p.likedAt().toString()));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("userId", user);
        out.put("likes", items);
        out.put("nextCursor", page.nextCursor());
        out.put("source", page.source().key());
        return Response.json(200, out);
    }

    private Response dashboard() {
        NodeInfo info = node.get();
        List<Map<String, Object>> posts = new ArrayList<>();
        for (PostStats p : stats.busiest(10)) {
            posts.add(statsJson(p, remote.isRemote(p.postId())));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("nodeId", stats.nodeId());
        out.put("source", stats.source().key());
        out.put("time", System.currentTimeMillis());
        out.put("posts", posts);
        out.put("peers", info.peers());
        out.put("heads", info.heads().size());
        out.put("headCids", info.heads().subList(0, Math.min(5, info.heads().size())));
        out.put("merges", info.merges());
        out.put("blocks", info.blocks());
        out.put("syncLagSeconds", info.syncLagSeconds());
        out.put("storeSizeBytes", info.storeSizeBytes());
        out.putAll(history.json()); // history (the charts' samples) and peerHealth
        return Response.json(200, out);
    }

    /** The operation name of a route, for the operations meter. */
    static String operation(String template) {
        return switch (template) {
            case "/v1/posts/{id}/likes" -> "like";
            case "/v1/posts/{id}/likes/{userId}" -> "unlike";
            case "/v1/posts/{id}/retweets" -> "retweet";
            case "/v1/posts/{id}/retweets/{userId}" -> "unretweet";
            case "/v1/posts/{id}/replies" -> "reply";
            case "/v1/posts/{id}/replies/{replyId}" -> "deleteReply";
            case "/v1/posts/{id}/views" -> "view";
            case "/v1/posts/{id}/stats" -> "stats";
            case "/v1/posts/{id}/likers" -> "likers";
            case "/v1/users/{id}/likes" -> "likedBy";
            case "/v1/import" -> "import";
            default -> "other";
        };
    }

    /**
     * The answer of a write and of {@code GET /v1/posts/{id}/stats}: {@link #statsJson}'s object, written field by
     * field with Jackson's generator (the same bytes as serializing the map, without building it).
     */
    static Response statsResponse(int status, PostStats p, boolean partial) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(192);
        try (com.fasterxml.jackson.core.JsonGenerator g = Response.JSON.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("postId", p.postId());
            g.writeNumberField("likes", p.likes());
            g.writeNumberField("retweets", p.retweets());
            g.writeNumberField("replies", p.replies());
            g.writeNumberField("views", p.views());
            g.writeStringField("source", p.source().key());
            if (p.lastActivity() == null) g.writeNullField("lastActivity");
            else g.writeStringField("lastActivity", p.lastActivity().toString());
            g.writeBooleanField("partial", partial);
            g.writeEndObject();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return new Response(status, "application/json", out.toByteArray(), Map.of());
    }

    /** {@code partial}: the numbers are only what this node knows of a post it does not hold (no follower answered, or a write's own counts). */
    static Map<String, Object> statsJson(PostStats p, boolean partial) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("postId", p.postId());
        m.put("likes", p.likes());
        m.put("retweets", p.retweets());
        m.put("replies", p.replies());
        m.put("views", p.views());
        m.put("source", p.source().key());
        m.put("lastActivity", p.lastActivity() == null ? null : p.lastActivity().toString());
        m.put("partial", partial);
        return m;
    }

    private static int limit(Request r) {
        String v = r.param("limit");
        if (v == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= 1 && n <= StatsService.MAX_PAGE) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw ProblemException.badRequest("invalid-parameter",
                "limit must be a whole number from 1 to " + StatsService.MAX_PAGE + " (default " + DEFAULT_LIMIT + ")");
    }

    /** The JSON object of the body; {@code null} if the body is empty and not {@code required}. */
    private static @Nullable JsonNode body(Request r, boolean required) {
        if (r.body().length == 0) {
            if (!required) {
                return null;
            }
            throw ProblemException.badRequest("invalid-body", "the request needs a JSON body, for example {\"userId\":\"alice\"}");
        }
        String ct = r.contentType() == null ? "" : r.contentType().toLowerCase();
        String mediaType = ct.split(";", 2)[0].trim();
        if (!mediaType.equals("application/json")) {
            throw new ProblemException(415, "unsupported-media-type", "Unsupported media type",
                    "the body must be JSON sent with Content-Type: application/json"
                            + (ct.isEmpty() ? " (none was given)" : " (not " + mediaType + ")"));
        }
        JsonNode node;
        try {
            node = Response.JSON.readTree(r.body());
        } catch (JsonProcessingException e) {
            throw ProblemException.badRequest("invalid-json", "the body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) { // no I/O on a byte array: bytes that are not text (e.g. truncated UTF-32)
            throw ProblemException.badRequest("invalid-json", "the body is not valid JSON: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw ProblemException.badRequest("invalid-body", "the body must be a JSON object, for example {\"userId\":\"alice\"}");
        }
        return node;
    }

    private static String field(JsonNode body, String name) {
        JsonNode v = body.get(name);
        if (v == null || !v.isTextual()) {
            throw ProblemException.badRequest("invalid-body", "the body must have a string field \"" + name + "\"");
        }
        return v.textValue();
    }

    static ProblemException problem(StatsException e) {
        return switch (e.problem()) {
            case INVALID_ID -> ProblemException.badRequest("invalid-id", e.getMessage());
            case INVALID_ARGUMENT -> ProblemException.badRequest("invalid-parameter", e.getMessage());
            case ALREADY_DONE -> new ProblemException(409, "already-done", "Already done", e.getMessage());
            case NOT_DONE -> new ProblemException(404, "not-done", "Nothing to undo", e.getMessage());
            case UNKNOWN_POST -> new ProblemException(404, "unknown-post", "Unknown post", e.getMessage());
            case STORAGE -> new ProblemException(503, "storage-unavailable", "Storage unavailable",
                    "the node's database failed, nothing was recorded; try again later");
            case BUSY -> new ProblemException(Response.problem(503, "busy", "Busy", e.getMessage()).withHeader("Retry-After", "1"));
        };
    }

    private static byte[] resource(String name) {
        try (InputStream in = Routes.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
