package io.warpstats.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The client commands: one request each to a node's HTTP API (docs/http.md), one command per operation.
 * Output: a short text, or with {@code --json} the API's JSON answer as one object on one line (also for an
 * error answer, which is then the problem document). Exit 0 on a 2xx answer; 2 for bad input (a malformed
 * URL, a missing option, HTTP 400 or 413); 1 otherwise (node unreachable, timeout, 401, 404, 409, 5xx), with
 * the problem's detail as one line on stderr.
 */
public final class ClientCommands {
    private ClientCommands() {}

    /** A request: method, path (ids encoded) and an optional JSON body. */
    record Call(String method, String path, String body) {}

    abstract static class Base implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions client = new ClientOptions();

        /** The request; validates the command's own options. */
        abstract Call request();

        /** Prints a 2xx answer as text. */
        abstract void text(JsonNode answer, PrintWriter out);

        @Override
        public Integer call() throws InterruptedException {
            Call c = request();
            ApiClient api = new ApiClient(client.endpoint());
            ApiClient.Answer a = api.send(c.method(), c.path(), c.body());
            PrintWriter out = spec.commandLine().getOut();
            if (client.json && a.json() != null) {
                out.println(a.json().toString());
            }
            if (a.ok()) {
                if (a.json() == null) {
                    throw new OperationFailedException("HTTP " + a.status() + " from " + api.base() + " without a JSON answer");
                }
                if (!client.json) {
                    text(a.json(), out);
                }
                out.flush();
                return 0;
            }
            out.flush();
            boolean badInput = a.status() == 400 || a.status() == 413;
            spec.commandLine().getErr().println((badInput ? "error: " : "failed: ") + "HTTP " + a.status() + ": " + a.detail());
            return badInput ? 2 : 1;
        }

        static String id(String what, String value) {
            if (value == null) {
                throw new BadInputException(what + " is required");
            }
            if (value.isEmpty() || value.length() > 1024) {
                throw new BadInputException(what + " must be 1 to 128 of letters, digits and . _ : @ -");
            }
            return ApiClient.enc(value);
        }

        static String userBody(String user) {
            return ApiClient.JSON.createObjectNode().put("userId", user).toString();
        }

        /** {@code post p: 3 likes, 1 retweets, 0 replies, 12 views (source crdt, last activity …)}. */
        static void postStats(JsonNode s, PrintWriter out) {
            out.printf("post %s: %d likes, %d retweets, %d replies, %d views (source %s, last activity %s)%n",
                    s.path("postId").asText(), s.path("likes").asLong(), s.path("retweets").asLong(),
                    s.path("replies").asLong(), s.path("views").asLong(), s.path("source").asText(),
                    s.path("lastActivity").isNull() ? "none" : s.path("lastActivity").asText());
        }
    }

    /** A command on one post, printing its statistics. */
    abstract static class PostCommand extends Base {
        @Parameters(index = "0", paramLabel = "POST_ID", description = "The post.")
        String postId;

        String post() {
            return "/v1/posts/" + id("POST_ID", postId);
        }

        @Override
        void text(JsonNode answer, PrintWriter out) {
            postStats(answer, out);
        }
    }

    /** A command acting as a user on one post. */
    abstract static class UserAction extends PostCommand {
        @Option(names = "--user", paramLabel = "USER_ID", description = "The acting user.")
        @Nullable String user;

        String user() {
            if (user == null || user.isEmpty()) {
                throw new BadInputException("--user is required for " + spec.name());
            }
            return user;
        }
    }

    @Command(name = "like", description = "Like a post as --user.")
    public static final class Like extends UserAction {
        @Override Call request() {
            return new Call("POST", post() + "/likes", userBody(user()));
        }
    }

    @Command(name = "unlike", description = "Withdraw --user's like.")
    public static final class Unlike extends UserAction {
        @Override Call request() {
            return new Call("DELETE", post() + "/likes/" + id("--user", user()), null);
        }
    }

    @Command(name = "retweet", description = "Retweet a post as --user.")
    public static final class Retweet extends UserAction {
        @Override Call request() {
            return new Call("POST", post() + "/retweets", userBody(user()));
        }
    }

    @Command(name = "unretweet", description = "Withdraw --user's retweet.")
    public static final class Unretweet extends UserAction {
        @Override Call request() {
            return new Call("DELETE", post() + "/retweets/" + id("--user", user()), null);
        }
    }

    @Command(name = "view", description = "Record a view (of --user, if given).")
    public static final class View extends UserAction {
        @Override Call request() {
            return new Call("POST", post() + "/views", user == null ? "{}" : userBody(user));
        }
    }

    @Command(name = "reply", description = "Record reply --reply-id to a post by --user.")
    public static final class Reply extends UserAction {
        @Option(names = "--reply-id", paramLabel = "REPLY_ID", description = "The reply's id (unique per post).")
        @Nullable String replyId;

        @Override Call request() {
            if (replyId == null || replyId.isEmpty()) {
                throw new BadInputException("--reply-id is required for reply");
            }
            String body = ApiClient.JSON.createObjectNode().put("userId", user()).put("replyId", replyId).toString();
            return new Call("POST", post() + "/replies", body);
        }
    }

    @Command(name = "unreply", aliases = "delete-reply", description = "Delete reply --reply-id of a post (made through this node).")
    public static final class Unreply extends PostCommand {
        @Option(names = "--reply-id", paramLabel = "REPLY_ID", description = "The reply's id.")
        @Nullable String replyId;

        @Override Call request() {
            return new Call("DELETE", post() + "/replies/" + id("--reply-id", replyId), null);
        }
    }

    @Command(name = "stats", description = "Print a post's statistics as the node sees them.")
    public static final class Stats extends PostCommand {
        @Override Call request() {
            return new Call("GET", post() + "/stats", null);
        }
    }

    /** {@code ?cursor=&limit=} of a paged read. */
    abstract static class Paged extends Base {
        @Option(names = "--cursor", paramLabel = "CURSOR", description = "Continue after a previous page (its nextCursor).")
        @Nullable String cursor;

        @Option(names = "--limit", paramLabel = "N", description = "Page size, 1 to 1000 (default 50).")
        @Nullable Integer limit;

        String query() {
            StringBuilder q = new StringBuilder();
            if (cursor != null) q.append("cursor=").append(ApiClient.enc(cursor));
            if (limit != null) q.append(q.length() == 0 ? "" : "&").append("limit=").append(limit);
            return q.length() == 0 ? "" : "?" + q;
        }

        static void next(JsonNode answer, PrintWriter out) {
            if (answer.hasNonNull("nextCursor")) {
                out.println("(more: --cursor " + answer.get("nextCursor").asText() + ")");
            }
        }
    }

    @Command(name = "likers", description = "Who likes a post, across every node, in user id order (one user per line).")
    public static final class Likers extends Paged {
        @Parameters(index = "0", paramLabel = "POST_ID", description = "The post.")
        String postId;

        @Override Call request() {
            return new Call("GET", "/v1/posts/" + id("POST_ID", postId) + "/likers" + query(), null);
        }

        @Override void text(JsonNode answer, PrintWriter out) {
            for (JsonNode u : answer.path("likers")) out.println(u.asText());
            next(answer, out);
        }
    }

    @Command(name = "user-likes", description = "The posts a user liked through this node, newest first (post id and time per line).")
    public static final class UserLikes extends Paged {
        @Parameters(index = "0", paramLabel = "USER_ID", description = "The user.")
        String userId;

        @Override Call request() {
            return new Call("GET", "/v1/users/" + id("USER_ID", userId) + "/likes" + query(), null);
        }

        @Override void text(JsonNode answer, PrintWriter out) {
            for (JsonNode p : answer.path("likes")) out.println(p.path("postId").asText() + " " + p.path("likedAt").asText());
            next(answer, out);
        }
    }

    @Command(name = "info", description = "The node: peer id, addresses, peers, heads, store size, merges, sync lag.")
    public static final class Info extends Base {
        @Override Call request() {
            return new Call("GET", "/v1/node", null);
        }

        @Override void text(JsonNode n, PrintWriter out) {
            out.println("peer id:    " + n.path("peerId").asText());
            for (JsonNode a : n.path("addresses")) out.println("address:    " + a.asText());
            out.println("peers:      " + n.path("peers").size());
            for (JsonNode p : n.path("peers")) out.println("  " + p.path("peerId").asText() + " " + p.path("address").asText());
            out.println("heads:      " + n.path("heads").size());
            out.println("store size: " + n.path("storeSizeBytes").asLong() + " bytes");
            out.println("merges:     " + n.path("merges").asLong());
            out.println("blocks:     " + n.path("blocks").asLong());
            out.println("sync lag:   " + n.path("syncLagSeconds").asDouble() + " s");
        }
    }

    @Command(name = "health", description = "Whether the node is up and where its reads come from (crdt or local).")
    public static final class Health extends Base {
        @Override Call request() {
            return new Call("GET", "/health", null);
        }

        @Override void text(JsonNode h, PrintWriter out) {
            out.println(h.path("status").asText() + " (node " + h.path("nodeId").asText() + ", source " + h.path("source").asText() + ")");
        }
    }

    @Command(name = "dashboard", description = "The dashboard's data: the busiest posts and the node's state (the page itself is at the node's URL).")
    public static final class Dashboard extends Base {
        @Override Call request() {
            return new Call("GET", "/v1/dashboard", null);
        }

        @Override void text(JsonNode d, PrintWriter out) {
            out.println("node " + d.path("nodeId").asText() + " (source " + d.path("source").asText() + "), "
                    + d.path("peers").size() + " peers, " + d.path("heads").asText() + " heads, sync lag "
                    + d.path("syncLagSeconds").asText() + " s");
            for (JsonNode p : d.path("posts")) postStats(p, out);
        }
    }
}
