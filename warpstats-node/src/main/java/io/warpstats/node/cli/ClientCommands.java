package io.warpstats.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The client commands {@code like|unlike|retweet|unretweet|view|stats POST_ID [--user U] [--node URL] [--token T]}:
 * one request to a node's HTTP API (docs/http.md). The answer's JSON goes to stdout. Exit 0 on a 2xx
 * answer; 2 for bad input (a malformed URL or id, HTTP 400); 1 otherwise (node unreachable, timeout,
 * 401, 404, 409, 5xx), with the problem's detail as one line on stderr.
 */
public final class ClientCommands {
    /** Connect and whole-request timeouts of the client. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
    private static final ObjectMapper JSON = new ObjectMapper();

    private ClientCommands() {}

    abstract static class Base implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "POST_ID", description = "The post.")
        String postId;

        @Option(names = "--node", defaultValue = "http://127.0.0.1:8080", description = "The node's HTTP API (default ${DEFAULT-VALUE}).")
        String node;

        @Option(names = "--token", description = "Bearer token of the node's API.")
        @Nullable String token;

        @Option(names = "--user", description = "The acting user.")
        @Nullable String user;

        abstract HttpRequest.Builder request(String base);

        String post() { return "/v1/posts/" + enc(postId); }

        String requireUser() {
            if (user == null || user.isEmpty()) throw new BadInputException("--user is required for " + spec.name());
            return user;
        }

        static String enc(String s) { return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20"); }

        static HttpRequest.BodyPublisher userBody(String user) {
            return HttpRequest.BodyPublishers.ofString(JSON.createObjectNode().put("userId", user).toString());
        }

        @Override
        public Integer call() throws InterruptedException {
            if (postId.isEmpty() || postId.length() > 1024) throw new BadInputException("bad POST_ID");
            String base = node.endsWith("/") ? node.substring(0, node.length() - 1) : node;
            URI uri;
            try {
                uri = URI.create(base);
                if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) throw new IllegalArgumentException();
            } catch (IllegalArgumentException e) {
                throw new BadInputException("--node must be an http(s) URL like http://127.0.0.1:8080, not '" + node + "'");
            }
            HttpRequest.Builder b = request(base).timeout(REQUEST_TIMEOUT).header("Accept", "application/json");
            if (token != null) b.header("Authorization", "Bearer " + token);
            HttpResponse<String> r;
            HttpClient client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
            try {
                r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                spec.commandLine().getErr().println("failed: node " + base + " unreachable: " + e);
                return 1;
            }
            if (r.statusCode() / 100 == 2) {
                spec.commandLine().getOut().println(r.body().isEmpty() ? "{\"status\":" + r.statusCode() + "}" : r.body());
                spec.commandLine().getOut().flush();
                return 0;
            }
            spec.commandLine().getErr().println((r.statusCode() == 400 ? "error: " : "failed: ") + "HTTP " + r.statusCode() + ": " + detail(r.body()));
            return r.statusCode() == 400 ? 2 : 1;
        }

        private static String detail(String body) {
            try {
                JsonNode n = JSON.readTree(body);
                if (n.hasNonNull("detail")) return n.get("detail").asText();
                if (n.hasNonNull("title")) return n.get("title").asText();
            } catch (IOException | RuntimeException ignored) {
                // not JSON
            }
            return body.length() > 200 ? body.substring(0, 200) : body;
        }
    }

    @Command(name = "like", description = "Like a post as --user.")
    public static final class Like extends Base {
        @Override HttpRequest.Builder request(String base) {
            return HttpRequest.newBuilder(URI.create(base + post() + "/likes")).header("Content-Type", "application/json").POST(userBody(requireUser()));
        }
    }

    @Command(name = "unlike", description = "Withdraw --user's like.")
    public static final class Unlike extends Base {
        @Override HttpRequest.Builder request(String base) {
            return HttpRequest.newBuilder(URI.create(base + post() + "/likes/" + enc(requireUser()))).DELETE();
        }
    }

    @Command(name = "retweet", description = "Retweet a post as --user.")
    public static final class Retweet extends Base {
        @Override HttpRequest.Builder request(String base) {
            return HttpRequest.newBuilder(URI.create(base + post() + "/retweets")).header("Content-Type", "application/json").POST(userBody(requireUser()));
        }
    }

    @Command(name = "unretweet", description = "Withdraw --user's retweet.")
    public static final class Unretweet extends Base {
        @Override HttpRequest.Builder request(String base) {
            return HttpRequest.newBuilder(URI.create(base + post() + "/retweets/" + enc(requireUser()))).DELETE();
        }
    }

    @Command(name = "view", description = "Record a view (of --user, if given).")
    public static final class View extends Base {
        @Override HttpRequest.Builder request(String base) {
            HttpRequest.BodyPublisher body = user == null ? HttpRequest.BodyPublishers.ofString("{}") : userBody(user);
            return HttpRequest.newBuilder(URI.create(base + post() + "/views")).header("Content-Type", "application/json").POST(body);
        }
    }

    @Command(name = "stats", description = "Print a post's statistics as the node sees them.")
    public static final class Stats extends Base {
        @Override HttpRequest.Builder request(String base) {
            return HttpRequest.newBuilder(URI.create(base + post() + "/stats")).GET();
        }
    }
}
