package io.warpstats.p2p.noise;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.warpstats.p2p.PeerId;
import io.warpstats.p2p.crypto.PrivateKey;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The Noise handler in a pipeline: handshake, then coalesced outbound writes that the receiver decodes. */
class NoiseHandlerTest {
    private static final PrivateKey A = PrivateKey.fromSeed(new byte[32]);
    private static final PrivateKey B = PrivateKey.fromSeed(new byte[] {9, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
            17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32});

    /** Collects the decrypted inbound bytes. */
    private static final class Sink extends ChannelInboundHandlerAdapter {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PeerId remote;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf b = (ByteBuf) msg;
            bytes.writeBytes(ByteBufUtil.getBytes(b));
            b.release();
        }
    }

    /** Two channels after the Noise handshake: [0] dialer, [1] listener; sinks in [2], [3]. */
    private static Object[] connect() {
        EmbeddedChannel a = new EmbeddedChannel(), b = new EmbeddedChannel();
        Sink sinkA = new Sink(), sinkB = new Sink();
        a.pipeline().addLast("sink", sinkA);
        b.pipeline().addLast("sink", sinkB);
        NoiseHandler.install(b.pipeline(), "sink", false, new NoiseIdentity(B), null, (ctx, r) -> sinkB.remote = r);
        NoiseHandler.install(a.pipeline(), "sink", true, new NoiseIdentity(A), PeerId.fromPublicKey(B.publicKey()), (ctx, r) -> sinkA.remote = r);
        while (shuttle(a, b) + shuttle(b, a) > 0) { }
        assertThat(sinkA.remote).isEqualTo(PeerId.fromPublicKey(B.publicKey()));
        assertThat(sinkB.remote).isEqualTo(PeerId.fromPublicKey(A.publicKey()));
        return new Object[] {a, b, sinkA, sinkB};
    }

    /** Moves what {@code from} wrote into {@code to}; returns the number of outbound buffers moved. */
    private static int shuttle(EmbeddedChannel from, EmbeddedChannel to) {
        int n = 0;
        for (ByteBuf m; (m = from.readOutbound()) != null; n++) to.writeInbound(m);
        return n;
    }

    /** The outbound buffers {@code from} wrote, as bytes (released). */
    private static List<byte[]> drain(EmbeddedChannel from) {
        List<byte[]> out = new ArrayList<>();
        for (ByteBuf m; (m = from.readOutbound()) != null; ) {
            if (m.isReadable()) out.add(ByteBufUtil.getBytes(m));
            m.release();
        }
        return out;
    }

    /**
     * Writes between two flushes are packed greedily into Noise messages (each length-prefixed,
     * ≤ 65535 bytes): a write that fits one message is never split (it opens a new message when the
     * current one lacks room), a larger one fills messages; the receiver gets exactly the bytes
     * written, in order; heap, direct and empty writes mix.
     */
    @Property(tries = 40)
    void writesBetweenFlushesAreCoalescedAndDecodeAtTheReceiver(
            @ForAll @Size(max = 6) List<@Size(max = 8) List<@IntRange(max = 150_000) Integer>> batches, @ForAll long seed) {
        Object[] c = connect();
        EmbeddedChannel a = (EmbeddedChannel) c[0], b = (EmbeddedChannel) c[1];
        Sink sinkB = (Sink) c[3];
        Random rnd = new Random(seed);
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        for (List<Integer> batch : batches) {
            int total = 0;
            List<byte[]> frames = new ArrayList<>();
            List<Integer> expected = new ArrayList<>(); // plaintext sizes of the messages, by the packing rule
            int cur = 0;
            for (int size : batch) {
                if (cur > 0 && size <= 65519 && cur + size > 65519) { expected.add(cur); cur = 0; }
                for (int left = size; left > 0; ) {
                    int take = Math.min(left, 65519 - cur);
                    cur += take;
                    left -= take;
                    if (cur == 65519) { expected.add(cur); cur = 0; }
                }
                byte[] data = new byte[size];
                rnd.nextBytes(data);
                sent.writeBytes(data);
                total += size;
                a.write(rnd.nextBoolean() ? Unpooled.wrappedBuffer(data) : Unpooled.directBuffer(size).writeBytes(data));
            }
            if (cur > 0) expected.add(cur);
            a.flush();
            frames.addAll(drain(a));
            assertThat(frames.stream().map(f -> f.length - 2 - 16).toList()).isEqualTo(expected);
            int payload = 0;
            for (byte[] f : frames) {
                int len = ((f[0] & 0xFF) << 8) | (f[1] & 0xFF);
                assertThat(f.length).isEqualTo(2 + len);
                assertThat(len).isBetween(17, 65535);
                payload += len - 16;
                b.writeInbound(Unpooled.wrappedBuffer(f));
            }
            assertThat(payload).isEqualTo(total);
        }
        assertThat(sinkB.bytes.toByteArray()).isEqualTo(sent.toByteArray());
        a.finishAndReleaseAll();
        b.finishAndReleaseAll();
    }

    @Test
    void aWritePromiseCompletesWhenItsFrameIsWrittenAndEmptyWritesKeepTheirOrder() {
        Object[] c = connect();
        EmbeddedChannel a = (EmbeddedChannel) c[0], b = (EmbeddedChannel) c[1];
        Sink sinkB = (Sink) c[3];
        ChannelFuture first = a.write(Unpooled.wrappedBuffer(new byte[100]));
        ChannelFuture empty = a.write(Unpooled.EMPTY_BUFFER);
        assertThat(first.isDone() || empty.isDone()).isFalse();
        a.flush();
        assertThat(first.isSuccess() && empty.isSuccess()).isTrue();
        ChannelFuture alone = a.writeAndFlush(Unpooled.EMPTY_BUFFER);
        assertThat(alone.isSuccess()).isTrue();
        List<byte[]> frames = drain(a);
        assertThat(frames).hasSize(1);
        assertThat(frames.get(0).length).isEqualTo(2 + 100 + 16);
        b.writeInbound(Unpooled.wrappedBuffer(frames.get(0)));
        assertThat(sinkB.bytes.toByteArray()).isEqualTo(new byte[100]);
    }

    @Test
    void unflushedBytesAreReleasedAndTheirPromisesFailWhenTheChannelCloses() {
        EmbeddedChannel a = (EmbeddedChannel) connect()[0];
        ByteBuf data = Unpooled.directBuffer(10).writeBytes(new byte[10]);
        ChannelFuture f = a.write(data);
        a.close();
        assertThat(f.isDone() && !f.isSuccess()).isTrue();
        assertThat(data.refCnt()).isZero();
    }
}
