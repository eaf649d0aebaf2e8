package io.warpstats.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drives the dashboard in headless Chromium through chromedriver's W3C WebDriver protocol: the page must
 * show a post's likes and update them live after a like; its five charts must be drawn (an SVG path with
 * samples in each) and move (the writes chart after 30 views differs from before and shows the rate);
 * a post typed into the lookup must show its exact totals; the peer table must list the node's peer.
 * A screenshot is kept in target/.
 */
class DashboardBrowserTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    @TempDir Path dir;
    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void showsLiveTotals() throws Exception {
        // CI (.ci/run) installs both and sets warpstats.requireBrowser: there a missing browser fails the test
        boolean required = Boolean.getBoolean("warpstats.requireBrowser");
        for (Path exe : List.of(CHROMIUM, CHROMEDRIVER)) {
            String why = "no executable " + exe + " (apt-get install -y chromium chromium-driver)";
            if (required) assertThat(Files.isExecutable(exe)).as(why).isTrue();
            else Assumptions.assumeTrue(Files.isExecutable(exe), "skipped: " + why);
        }
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Process driver = new ProcessBuilder(CHROMEDRIVER.toString(), "--port=" + port, "--allowed-ips=127.0.0.1")
                .redirectErrorStream(true).start();
        try (TestNode node = new TestNode(dir, HttpConfig.loopback(0))) {
            awaitReady(driver);
            node.send("POST", "/v1/posts/hello-world/likes", "{\"userId\":\"alice\"}");
            node.send("POST", "/v1/posts/hello-world/views", null);
            node.send("POST", "/v1/posts/second-post/retweets", "{\"userId\":\"bob\"}");
            String wd = "http://127.0.0.1:" + port;
            JsonNode session = post(wd + "/session", Map.of("capabilities", Map.of("alwaysMatch", Map.of(
                    "browserName", "chrome",
                    "goog:chromeOptions", Map.of("binary", CHROMIUM.toString(), "args", List.of(
                            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                            "--disable-background-networking", "--disable-component-update", "--disable-sync",
                            "--disable-dev-shm-usage", "--window-size=1200,1500",
                            "--user-data-dir=" + dir.resolve("chromium-profile")))))));
            String id = session.get("value").get("sessionId").asText();
            String s = wd + "/session/" + id;
            try {
                post(s + "/timeouts", Map.of("script", 15_000));
                post(s + "/url", Map.of("url", node.base() + "/"));
                assertThat(likesShown(s, "1")).isEqualTo("1");
                node.send("POST", "/v1/posts/hello-world/likes", "{\"userId\":\"carol\"}"); // the page must follow without reload
                assertThat(likesShown(s, "2")).isEqualTo("2");
                assertThat(script(s, "return document.getElementById('source').textContent", List.of()).asText()).isEqualTo("crdt");
                // charts: every one has a path through at least 2 samples (one a second from the API's start)
                for (String chart : List.of("writes", "merges", "lag", "peers", "store")) {
                    JsonNode path = awaitPath(s, chart, null, "p => p.dataset.points >= 2");
                    assertThat(path.get("d").asText()).as(chart).matches("M[-0-9.]+,[-0-9.]+([LHV][-0-9.,]+)+");
                }
                assertThat(awaitPath(s, "peers", "peers", "p => +p.dataset.max === 1").get("max").asDouble()).isEqualTo(1);
                assertThat(awaitPath(s, "store", "storeBytes", "p => +p.dataset.max === 1234").get("max").asDouble()).isEqualTo(1234);
                JsonNode before = awaitPath(s, "writes", "views", "p => true");
                assertThat(before.get("max").asDouble()).isLessThan(5); // one view so far
                for (int i = 0; i < 30; i++) node.send("POST", "/v1/posts/third-post/views", null);
                JsonNode after = awaitPath(s, "writes", "views", "p => +p.dataset.max >= 5");
                assertThat(after.get("d").asText()).isNotEqualTo(before.get("d").asText());
                // post lookup: typed into the form, the totals of the API
                String input = element(s, "#lookup-id");
                post(s + "/element/" + input + "/value", Map.of("text", "hello-world"));
                post(s + "/element/" + element(s, "#lookup button") + "/click", Map.of());
                String lookedUp = "const done = arguments[0];"
                        + "const row = () => document.querySelector('#lookup-result tr[data-post=\"hello-world\"]');"
                        + "const check = () => { const r = row(); if (r) { done([...r.children].map(c => c.textContent).join('/')); return true; } return false; };"
                        + "if (!check()) { new MutationObserver((m, o) => { if (check()) o.disconnect(); })"
                        + ".observe(document.body, {childList: true, subtree: true}); }";
                JsonNode stats = JSON.readTree(node.send("GET", "/v1/posts/hello-world/stats", null).body());
                assertThat(script(s, lookedUp, List.of(), true).asText()).isEqualTo("hello-world/" + stats.get("likes") + "/"
                        + stats.get("retweets") + "/" + stats.get("replies") + "/" + stats.get("views")).isEqualTo("hello-world/2/0/0/1");
                post(s + "/element/" + input + "/clear", Map.of());
                post(s + "/element/" + input + "/value", Map.of("text", "no-such-post\uE007")); // WebDriver's Enter key submits
                assertThat(awaitText(s, "#lookup-result td", "unknown post: no-such-post")).isEqualTo("unknown post: no-such-post");
                // peers: the node's one peer, connected
                assertThat(awaitText(s, "#peerhealth tr[data-peer=\"12D3KooWPeer\"] td:nth-child(3)", "connected")).isEqualTo("connected");
                script(s, "window.scrollTo(0, 0)", List.of());
                String png = http.send(HttpRequest.newBuilder(URI.create(s + "/screenshot")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                Path shot = Path.of("target", "dashboard.png");
                Files.createDirectories(shot.getParent());
                Files.write(shot, Base64.getDecoder().decode(JSON.readTree(png).get("value").asText()));
                assertThat(Files.size(shot)).isGreaterThan(1000);
            } finally {
                http.send(HttpRequest.newBuilder(URI.create(s)).DELETE().build(), HttpResponse.BodyHandlers.discarding());
            }
        } finally {
            driver.destroy();
            driver.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /** Waits in the page (bounded by the script timeout) until hello-world's likes cell shows {@code expected}. */
    private String likesShown(String session, String expected) throws Exception {
        String js = "const [want, done] = arguments;"
                + "const cell = () => document.querySelector('#posts tr[data-post=\"hello-world\"] td.likes');"
                + "const check = () => { const c = cell(); if (c && c.textContent === want) { done(c.textContent); return true; } return false; };"
                + "if (!check()) { new MutationObserver((m, o) => { if (check()) o.disconnect(); })"
                + ".observe(document.body, {childList: true, subtree: true, characterData: true}); }";
        return script(session, js, List.of(expected), true).asText();
    }

    /**
     * Waits in the page (bounded by the script timeout) until the chart's path for {@code series} (the first
     * path if null) satisfies the JavaScript predicate {@code test}; returns its d, points and max.
     */
    private JsonNode awaitPath(String session, String chart, String series, String test) throws Exception {
        String js = "const [chart, series, done] = arguments; const test = " + test + ";"
                + "const path = () => document.querySelector('#chart-' + chart + ' path.series' + (series ? '[data-name=\"' + series + '\"]' : ''));"
                + "const check = () => { const p = path(); if (p && test(p)) { done({d: p.getAttribute('d'), points: +p.dataset.points, max: +p.dataset.max}); return true; } return false; };"
                + "if (!check()) { new MutationObserver((m, o) => { if (check()) o.disconnect(); })"
                + ".observe(document.body, {childList: true, subtree: true, attributes: true}); }";
        java.util.ArrayList<Object> args = new java.util.ArrayList<>();
        args.add(chart);
        args.add(series);
        return script(session, js, args, true);
    }

    /** Waits in the page (bounded by the script timeout) until the element of {@code css} shows {@code want}. */
    private String awaitText(String session, String css, String want) throws Exception {
        String js = "const [css, want, done] = arguments;"
                + "const check = () => { const e = document.querySelector(css); if (e && e.textContent === want) { done(want); return true; } return false; };"
                + "if (!check()) { new MutationObserver((m, o) => { if (check()) o.disconnect(); })"
                + ".observe(document.body, {childList: true, subtree: true, characterData: true}); }";
        return script(session, js, List.of(css, want), true).asText();
    }

    /** The WebDriver id of the element {@code css} selects. */
    private String element(String session, String css) throws Exception {
        JsonNode v = post(session + "/element", Map.of("using", "css selector", "value", css)).get("value");
        return v.fields().next().getValue().asText();
    }

    private JsonNode script(String session, String js, List<Object> args) throws Exception {
        return script(session, js, args, false);
    }

    private JsonNode script(String session, String js, List<Object> args, boolean async) throws Exception {
        JsonNode r = post(session + (async ? "/execute/async" : "/execute/sync"), Map.of("script", js, "args", args));
        return r.get("value");
    }

    private JsonNode post(String url, Object body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url + " -> " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    /** Reads chromedriver's output until it says it started (bounded by its lines; it exits on failure). */
    private static void awaitReady(Process driver) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(driver.getInputStream(), StandardCharsets.UTF_8));
        for (int i = 0; i < 50; i++) {
            String line = out.readLine();
            if (line == null) {
                throw new AssertionError("chromedriver exited: " + driver.waitFor());
            }
            if (line.contains("started successfully")) {
                Thread drain = new Thread(() -> out.lines().forEach(l -> { }), "chromedriver-output");
                drain.setDaemon(true);
                drain.start();
                return;
            }
        }
        throw new AssertionError("chromedriver did not report a successful start");
    }
}
