package io.warpstats.p2p.host;

import static io.warpstats.p2p.testing.TestHosts.addr;
import static io.warpstats.p2p.testing.TestHosts.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.warpstats.p2p.Connection;
import io.warpstats.p2p.ConnectionListener;
import io.warpstats.p2p.Host;
import io.warpstats.p2p.HostOptions;
import io.warpstats.p2p.Stream;
import io.warpstats.p2p.echo.Echo;
import io.warpstats.p2p.multistream.Multistream;
import io.warpstats.p2p.testing.TestHosts;
import io.warpstats.p2p.yamux.YamuxHeader;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile peers: each test breaks one connection or stream of the server and then checks that the
 * server still serves a well-behaved client.
 */
class RobustnessTest {
    private Host server;
    private Host client;

    @BeforeEach
    void start() {
        server = TestHosts.listening(HostOptions.defaults().withHandshakeTimeout(Duration.ofSeconds(1))
                .withMaxStreamsPerConnection(16).withStreamNegotiationTimeout(Duration.ofSeconds(2)));
        client = TestHosts.listening(HostOptions.defaults().withMaxStreamsPerConnection(1000));
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    private void serverStillServes() {
        Host fresh = TestHosts.listening();
        try {
            assertThat(await(Echo.request(await(fresh.dial(addr(server))), "ok"))).isEqualTo("echo:ok");
        } finally {
            fresh.close();
        }
    }

    /** Sends {@code bytes} on a raw socket and asserts that the server closes it (bounded wait). */
    private void rawAndExpectClose(byte[] bytes) throws Exception {
        InetSocketAddress a = server.listenAddresses().get(0).tcpAddress().orElseThrow();
        try (Socket s = new Socket(a.getAddress(), a.getPort())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(bytes);
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            int total = 0;
            while (true) {
                int n = in.read(buf); // SocketTimeoutException fails the test if the server hangs
                if (n < 0) break;
                total += n;
                assertThat(total).as("server answers a hostile peer with a bounded amount").isLessThan(1 << 16);
            }
        }
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) o.writeBytes(p);
        return o.toByteArray();
    }

    @Test
    void garbageBytesCloseOnlyThatConnection() throws Exception {
        byte[] junk = new byte[2000];
        new Random(1).nextBytes(junk);
        rawAndExpectClose(junk);
        serverStillServes();
    }

    @Test
    void oversizedMultistreamMessageIsRefused() throws Exception {
        rawAndExpectClose(new byte[] {(byte) 0xA0, (byte) 0x8D, 0x06}); // announces 100 000 bytes
        serverStillServes();
    }

    @Test
    void tooManyProposalsAreRefused() throws Exception {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(Multistream.encode(Multistream.PROTOCOL_ID));
        for (int i = 0; i < 40; i++) o.writeBytes(Multistream.encode("/tls/1.0.0"));
        rawAndExpectClose(o.toByteArray());
        serverStillServes();
    }

    @Test
    void truncatedNoiseHandshakeTimesOut() throws Exception {
        // a valid negotiation of /noise, then half a Noise frame and silence: the handshake timeout ends it
        rawAndExpectClose(concat(Multistream.encode(Multistream.PROTOCOL_ID), Multistream.encode("/noise"), new byte[] {0, 32, 1, 2, 3}));
        serverStillServes();
    }

    @Test
    void wrongNoiseHandshakeIsRefused() throws Exception {
        byte[] m1 = new byte[34];
        m1[1] = 32; // a 32-byte "ephemeral key" of zeros: a low-order point
        byte[] m3 = new byte[66];
        m3[0] = 0; m3[1] = 64;
        rawAndExpectClose(concat(Multistream.encode(Multistream.PROTOCOL_ID), Multistream.encode("/noise"), m1, m3));
        serverStillServes();
    }

    @Test
    void oversizedYamuxFrameClosesTheConnection() throws Exception {
        HostConnection c = (HostConnection) await(client.dial(addr(server)));
        CompletableFuture<Void> closed = c.closeFuture();
        ByteBuf frame = Unpooled.buffer();
        new YamuxHeader(YamuxHeader.DATA, YamuxHeader.SYN, 1001, 10_000_000).encode(frame);
        frame.writeZero(1000);
        c.channel().eventLoop().execute(() -> c.channel().pipeline().context("yamux").writeAndFlush(frame));
        await(closed.orTimeout(10, TimeUnit.SECONDS));
        serverStillServes();
    }

    @Test
    void streamFloodIsBoundedPerConnection() {
        CompletableFuture<Void> never = new CompletableFuture<>();
        server.setHandler("/test/hold/1.0.0", s -> never.whenComplete((v, e) -> s.reset()));
        Connection c = await(client.dial(addr(server)));
        List<CompletableFuture<Stream>> opened = new ArrayList<>();
        for (int i = 0; i < 200; i++) opened.add(c.newStream(List.of("/test/hold/1.0.0")));
        int ok = 0, refused = 0;
        List<Stream> held = new ArrayList<>();
        for (CompletableFuture<Stream> f : opened) {
            try {
                held.add(f.get(15, TimeUnit.SECONDS));
                ok++;
            } catch (Exception e) {
                refused++;
            }
        }
        assertThat(ok).isLessThanOrEqualTo(16);
        assertThat(refused).isGreaterThanOrEqualTo(184);
        never.complete(null);
        for (Stream h : held) await(h.closeFuture()); // the server released its streams
        // the connection itself survives the flood and serves again once streams are released
        assertThat(await(Echo.request(await(client.dial(addr(server))), "after flood"))).isEqualTo("echo:after flood");
        serverStillServes();
    }

    @Test
    void peerThatNeverReadsIsBoundedByTheWindow() {
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        CompletableFuture<Void> issued = new CompletableFuture<>();
        server.setHandler("/test/source/1.0.0", s -> {
            byte[] chunk = new byte[64 * 1024];
            for (int i = 0; i < 40; i++) writes.add(s.write(chunk)); // 2.5 MiB, nobody reads
            issued.complete(null);
        });
        Connection c = await(client.dial(addr(server)));
        Stream slow = await(c.newStream(List.of("/test/source/1.0.0")));
        await(issued);
        // the window lets 256 KiB through; the write buffer (1 MiB) holds more; the rest is refused
        long failed = 0;
        for (CompletableFuture<Void> w : writes) {
            try {
                w.get(100, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                failed++;
            } catch (Exception pending) {
                // still waiting for window: fine
            }
        }
        long done = writes.stream().filter(w -> w.isDone() && !w.isCompletedExceptionally()).count();
        assertThat(done * 64 * 1024).isLessThanOrEqualTo(HostOptions.YAMUX_INITIAL_WINDOW);
        assertThat(failed).isGreaterThanOrEqualTo(40 - 4 - 17);
        // other streams of the same connection are unaffected
        assertThat(await(Echo.request(c, "beside a stalled stream"))).isEqualTo("echo:beside a stalled stream");
        // the reader can still drain what was sent
        assertThat(await(slow.readExactly(HostOptions.YAMUX_INITIAL_WINDOW))).hasSize(HostOptions.YAMUX_INITIAL_WINDOW);
        slow.reset();
        serverStillServes();
    }

    @Test
    void connectionLimitRefusesExtraInbound() {
        Host small = TestHosts.listening(HostOptions.defaults().withMaxConnections(1));
        Host other = TestHosts.listening();
        try {
            await(client.dial(addr(small)));
            CompletableFuture<Connection> second = other.dial(addr(small));
            try {
                second.get(10, TimeUnit.SECONDS);
                throw new AssertionError("second connection accepted beyond the limit");
            } catch (Exception expected) {
                assertThat(expected).isNotInstanceOf(AssertionError.class);
            }
            assertThat(await(Echo.request(client.connection(small.peerId()).orElseThrow(), "first"))).isEqualTo("echo:first");
        } finally {
            other.close();
            small.close();
        }
    }

    @Test
    void idleConnectionsAreClosed() {
        Host idle = TestHosts.listening(HostOptions.defaults().withIdleTimeout(Duration.ofMillis(300)));
        try {
            CompletableFuture<Connection> gone = new CompletableFuture<>();
            idle.addConnectionListener(new ConnectionListener() {
                @Override public void disconnected(Connection c) { gone.complete(c); }
            });
            Connection c = await(client.dial(addr(idle)));
            await(c.identified());
            assertThat(await(gone).remotePeer()).isEqualTo(client.peerId());
        } finally {
            idle.close();
        }
    }

    @Test
    void receiveBufferOfTheHostIsBounded() {
        Host small = TestHosts.listening(HostOptions.defaults().withMaxReceiveBuffer(600 * 1024));
        try {
            CompletableFuture<Void> never = new CompletableFuture<>();
            small.setHandler("/test/sink/1.0.0", s -> never.whenComplete((v, e) -> s.reset())); // never reads
            Connection c = await(client.dial(addr(small)));
            List<CompletableFuture<Void>> sent = new ArrayList<>();
            List<Stream> streams = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Stream s = await(c.newStream(List.of("/test/sink/1.0.0")));
                streams.add(s);
                sent.add(s.write(new byte[HostOptions.YAMUX_INITIAL_WINDOW - 64])); // each within its window
            }
            // 4 x ~256 KiB > 600 KiB: at least one stream is reset by the receiver, whatever the others do
            long reset = streams.stream().map(s -> s.closeFuture().orTimeout(10, TimeUnit.SECONDS))
                    .filter(f -> { try { f.get(); return true; } catch (Exception e) { return false; } }).count();
            assertThat(reset).isGreaterThanOrEqualTo(1);
            never.complete(null);
            assertThat(await(Echo.request(c, "budget"))).isEqualTo("echo:budget");
        } finally {
            small.close();
        }
    }
}
