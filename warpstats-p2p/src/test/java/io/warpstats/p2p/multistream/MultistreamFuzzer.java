package io.warpstats.p2p.multistream;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.warpstats.p2p.ProtocolViolationException;

/**
 * Coverage-guided fuzzing of multistream-select: {@link Multistream#decode} over a stream of
 * messages (each decoded text encodes back to a message that decodes to it), then a listening
 * {@link MultistreamHandler} fed the same bytes in fuzzer-chosen chunks. Either side returns, waits
 * for more bytes, or fails with {@link ProtocolViolationException}; nothing else escapes and the
 * handler releases every buffer it does not pass on.
 */
class MultistreamFuzzer {
    private static final int MAX_MESSAGE = 1024;

    @FuzzTest(maxDuration = "3s")
    void negotiate(FuzzedDataProvider data) {
        int chunk = data.consumeInt(1, 64);
        byte[] input = data.consumeRemainingAsBytes();
        codec(input);
        handler(input, chunk);
    }

    private static void codec(byte[] input) {
        ByteBuf in = Unpooled.wrappedBuffer(input);
        try {
            String text;
            while ((text = Multistream.decode(in, MAX_MESSAGE)) != null) {
                ByteBuf again = Unpooled.wrappedBuffer(Multistream.encode(text));
                assertThat(Multistream.decode(again, Integer.MAX_VALUE)).isEqualTo(text);
                assertThat(again.isReadable()).isFalse();
            }
        } catch (ProtocolViolationException rejected) {
            // documented rejection
        }
    }

    private static void handler(byte[] input, int chunk) {
        ByteBuf passedOn = Unpooled.buffer();
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline().addLast(new MultistreamHandler(false, "/noise", MAX_MESSAGE, 4, ctx ->
                ctx.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext c, Object msg) {
                        passedOn.writeBytes((ByteBuf) msg);
                        ReferenceCountUtil.release(msg);
                    }
                })));
        java.util.List<ByteBuf> pieces = new java.util.ArrayList<>();
        try {
            for (int off = 0; off < input.length && ch.isOpen(); off += chunk) {
                ByteBuf piece = Unpooled.copiedBuffer(input, off, Math.min(chunk, input.length - off));
                pieces.add(piece);
                ch.writeInbound(piece);
            }
        } catch (RuntimeException e) {
            assertThat(rootCause(e)).isInstanceOf(ProtocolViolationException.class);
        } finally {
            finish(ch);
        }
        for (ByteBuf piece : pieces) {
            assertThat(piece.refCnt()).as("the handler released or passed on every buffer").isZero();
        }
    }

    /**
     * Closes the channel and releases what it holds; rethrows what the pipeline recorded unless it is
     * a protocol violation (closing decodes what is left once more, so a violation can come again).
     */
    private static void finish(EmbeddedChannel ch) {
        try {
            ch.finishAndReleaseAll();
        } catch (RuntimeException e) {
            assertThat(rootCause(e)).isInstanceOf(ProtocolViolationException.class);
        }
    }

    private static Throwable rootCause(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t;
    }
}
