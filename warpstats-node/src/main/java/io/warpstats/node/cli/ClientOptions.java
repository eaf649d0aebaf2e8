package io.warpstats.node.cli;

import java.net.URI;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * The options every client command shares: which node ({@code --node URL} or the {@code http} setting of a
 * node's {@code --config FILE}), its token ({@code --token} or the file's {@code http-token}), and
 * {@code --json}. A flag wins over the file; without either the node is {@value #DEFAULT_NODE}.
 */
final class ClientOptions {
    static final String DEFAULT_NODE = "http://127.0.0.1:8080";

    @Option(names = "--node", paramLabel = "URL", description = "The node's HTTP API (default " + DEFAULT_NODE + ", or the http setting of --config).")
    @Nullable String node;

    @Option(names = "--token", paramLabel = "TOKEN", description = "Bearer token of the node's API (default: the http-token setting of --config).")
    @Nullable String token;

    @Option(names = "--config", paramLabel = "FILE", description = "A node's configuration file: its http and http-token settings say where and how to reach it.")
    @Nullable Path config;

    @Option(names = "--json", description = "Print the API's JSON answer (one object per line) instead of text.")
    boolean json;

    /** The node's base URL and token, from the flags, else the configuration file, else the default. */
    Endpoint endpoint() {
        String url = node;
        String tok = token;
        if (config != null) {
            NodeSettings s = new NodeSettings();
            s.load(config);
            if (url == null) {
                String http = s.get("http");
                if (http == null) {
                    throw new BadInputException("the config file " + config + " has no http setting: that node serves no HTTP API");
                }
                url = urlOf(http);
            }
            if (tok == null) {
                tok = s.get("http-token");
            }
        }
        if (url == null) {
            url = DEFAULT_NODE;
        }
        String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        try {
            URI uri = URI.create(base);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null
                    || uri.getRawQuery() != null || uri.getRawFragment() != null) {
                throw new IllegalArgumentException();
            }
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--node must be an http(s) URL like " + DEFAULT_NODE + ", not '" + url + "'");
        }
        if (tok != null && (tok.isEmpty() || !tok.matches("[\\x21-\\x7e]+"))) {
            throw new BadInputException("the token must be printable ASCII without spaces");
        }
        return new Endpoint(base, tok);
    }

    /** The URL of a node's {@code http=HOST:PORT} setting, as seen from this machine (a wildcard address is loopback). */
    static String urlOf(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new BadInputException("http must be HOST:PORT, not '" + hostPort + "'");
        }
        String host = hostPort.substring(0, colon);
        String port = hostPort.substring(colon + 1);
        if (host.equals("0.0.0.0")) {
            host = "127.0.0.1";
        } else if (host.equals("::") || host.equals("[::]")) {
            host = "[::1]";
        } else if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return "http://" + host + ":" + port;
    }

    /** Where a client command sends its request. */
    record Endpoint(String base, @Nullable String token) {}
}
