package io.warpstats.node.http;

import static io.warpstats.node.http.HttpApiTest.problem;
import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.p2p.limit.Rate;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rate limits per client over real TCP on 127.0.0.1: a client over its read budget gets 429 with
 * {@code Retry-After} and a problem body while another client (another token, another address) is
 * served, its write budget is separate, and after waiting {@code Retry-After} it is served again.
 */
class HttpRateLimitTest {
    static final String A = "token-of-client-a-0123456789";
    static final String B = "token-of-client-b-0123456789";
    @TempDir Path dir;

    /** Reads at 0.5 per second with a burst of 3, writes at 0.5 per second with a burst of 2. */
    static HttpConfig limited() {
        return HttpConfig.loopback(0).withLimits(new HttpLimits(Rate.of(0.5, 3), Rate.of(0.5, 2), 100));
    }

    @Test
    void aClientOverItsLimitGets429WhileOthersAreServedThenIsServedAgain() {
        try (TestNode node = new TestNode(dir, limited())) {
            for (int i = 0; i < 3; i++) {
                assertThat(get(node, A).statusCode()).as("read %d of the burst", i).isEqualTo(200);
            }
            HttpResponse<String> refused = get(node, A);
            problem(refused, 429, "rate-limited", "over its limit of 0.5 reads per second (burst 3)");
            long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
            assertThat(retryAfter).isBetween(1L, 2L); // a token every 2 s
            // another client is served meanwhile, and A's writes have their own budget
            assertThat(get(node, B).statusCode()).isEqualTo(200);
            assertThat(node.send("POST", "/v1/posts/p1/likes", "application/json", "{\"userId\":\"alice\"}", A).statusCode())
                    .isEqualTo(201);

            // after Retry-After, A is served again (polled, bounded: a token comes every 2 s)
            LockSupport.parkNanos(Duration.ofSeconds(retryAfter).toNanos());
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            int status;
            do {
                status = get(node, A).statusCode();
                if (status != 200) LockSupport.parkNanos(200_000_000L);
            } while (status != 200 && System.nanoTime() < deadline);
            assertThat(status).isEqualTo(200);

            String metrics = node.send("GET", "/metrics", null).body();
            assertThat(metrics).containsPattern("warpstats_http_rate_limited_total\\{kind=\"read\"} [1-9]");
            assertThat(metrics).contains("status=\"429\"");
        }
    }

    @Test
    void writesOverTheirLimitGet429() {
        try (TestNode node = new TestNode(dir, limited())) {
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                statuses.add(node.send("POST", "/v1/posts/p" + i + "/likes", "application/json", "{\"userId\":\"bob\"}", A).statusCode());
            }
            assertThat(statuses).containsExactly(201, 201, 429);
            assertThat(get(node, A).statusCode()).as("reads have their own budget").isEqualTo(200);
        }
    }

    @Test
    void withoutATokenTheClientIsItsAddress() throws IOException {
        try (TestNode node = new TestNode(dir, limited())) {
            int port = node.api.address().getPort();
            for (int i = 0; i < 3; i++) assertThat(rawGet("127.0.0.1", port)).startsWith("HTTP/1.1 200");
            String refused = rawGet("127.0.0.1", port);
            assertThat(refused).startsWith("HTTP/1.1 429").contains("Retry-After:").contains("urn:warpstats:problem:rate-limited");
            assertThat(rawGet("127.0.0.2", port)).as("another loopback address is another client").startsWith("HTTP/1.1 200");
            assertThat(get(node, B).statusCode()).as("a token names its own client").isEqualTo(200);
        }
    }

    @Test
    void unlimitedByDefault() {
        try (TestNode node = new TestNode(dir, HttpConfig.loopback(0))) {
            for (int i = 0; i < 300; i++) assertThat(get(node, A).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void clientKeys() {
        InetSocketAddress v4 = new InetSocketAddress("10.1.2.3", 5555);
        InetSocketAddress v6a = new InetSocketAddress("2001:db8:1:2::1", 5555);
        InetSocketAddress v6b = new InetSocketAddress("2001:db8:1:2:ffff::9", 5555);
        assertThat(ClientLimits.client(null, v4)).isEqualTo("ip:10.1.2.3");
        assertThat(ClientLimits.client(null, v6a)).as("one /64").isEqualTo(ClientLimits.client(null, v6b));
        assertThat(ClientLimits.client("Bearer " + A, v4)).startsWith("token:").doesNotContain(A)
                .isEqualTo(ClientLimits.client("Bearer " + A, v6a)).isNotEqualTo(ClientLimits.client("Bearer " + B, v4));
        assertThat(ClientLimits.client("Basic abc", v4)).isEqualTo("ip:10.1.2.3");
    }

    static HttpResponse<String> get(TestNode node, String token) {
        return node.send("GET", "/v1/node", null, null, token);
    }

    /** One GET of the node information over a socket bound to {@code local}; the whole answer (the server closes). */
    static String rawGet(String local, int port) throws IOException {
        try (Socket s = new Socket()) {
            s.setSoTimeout(10_000);
            s.bind(new InetSocketAddress(local, 0));
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET /v1/node HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            return b.toString(StandardCharsets.UTF_8);
        }
    }
}
