package io.warpstats.p2p.multistream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class MultistreamHandlerTest {

    private static List<String> drainMessages(EmbeddedChannel ch) throws Exception {
        ByteBuf all = Unpooled.buffer();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            all.writeBytes(b);
            b.release();
        }
        List<String> out = new ArrayList<>();
        String m;
        while ((m = Multistream.decode(all, 1024)) != null) out.add(m);
        return out;
    }

    @Test
    void listenerAnswersNaThenAcceptsASecondProposalAndPassesLeftoverBytesOn() throws Exception {
        AtomicBoolean selected = new AtomicBoolean();
        List<ByteBuf> next = new ArrayList<>();
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline().addLast(new MultistreamHandler(false, "/noise", 1024, 4, ctx -> {
            selected.set(true);
            ctx.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                @Override public void channelRead(io.netty.channel.ChannelHandlerContext c, Object msg) { next.add((ByteBuf) msg); }
            });
        }));
        ch.writeInbound(Unpooled.wrappedBuffer(Multistream.encode(Multistream.PROTOCOL_ID), Multistream.encode("/tls/1.0.0")));
        assertThat(drainMessages(ch)).containsExactly(Multistream.PROTOCOL_ID, Multistream.NA);
        assertThat(selected).isFalse();
        ch.writeInbound(Unpooled.wrappedBuffer(Multistream.encode("/noise"), new byte[] {1, 2, 3}));
        assertThat(drainMessages(ch)).containsExactly("/noise");
        assertThat(selected).isTrue();
        assertThat(next).hasSize(1);
        assertThat(next.get(0).readableBytes()).isEqualTo(3); // the bytes after the negotiation belong to the next stage
        assertThat(ch.pipeline().get(MultistreamHandler.class)).isNull();
        next.forEach(ByteBuf::release); // the test is the last stage: it owns what it received
    }

    @Test
    void dialerPipelinesHeaderAndProposalAndFailsOnNa() throws Exception {
        EmbeddedChannel ch = new EmbeddedChannel(new MultistreamHandler(true, "/noise", 1024, 4, ctx -> { }));
        assertThat(drainMessages(ch)).containsExactly(Multistream.PROTOCOL_ID, "/noise");
        // the failure reaches the pipeline's exception path (in a host: the guard, which logs and closes)
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ch.writeInbound(Unpooled.wrappedBuffer(
                        Multistream.encode(Multistream.PROTOCOL_ID), Multistream.encode(Multistream.NA))))
                .hasRootCauseInstanceOf(io.warpstats.p2p.ProtocolViolationException.class).hasMessageContaining("refused");
    }

    /**
     * V1Lazy dialer: the next stage starts at once and its first bytes follow the proposal in the same
     * flush; the listener's header and echo are stripped (even when they arrive byte by byte, with the
     * next stage's first bytes behind them) and only what follows reaches the next stage.
     */
    @Test
    void lazyDialerStartsTheNextStageAtOnceAndStripsTheAnswer() throws Exception {
        List<ByteBuf> next = new ArrayList<>();
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline().addLast(new MultistreamHandler(true, true, "/noise", 1024, 4, ctx -> {
            ctx.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                @Override public void channelRead(io.netty.channel.ChannelHandlerContext c, Object msg) { next.add((ByteBuf) msg); }
            });
            ctx.write(Unpooled.wrappedBuffer(Multistream.encode("first bytes of the next stage")));
        }));
        assertThat(drainMessages(ch)).containsExactly(Multistream.PROTOCOL_ID, "/noise", "first bytes of the next stage");
        ByteBuf answer = Unpooled.wrappedBuffer(Multistream.encode(Multistream.PROTOCOL_ID), Multistream.encode("/noise"), new byte[] {7, 8, 9});
        while (answer.isReadable()) ch.writeInbound(answer.readRetainedSlice(1));
        answer.release();
        assertThat(ch.pipeline().get(MultistreamHandler.class)).isNull();
        ByteBuf got = Unpooled.buffer();
        next.forEach(b -> { got.writeBytes(b); b.release(); });
        assertThat(io.netty.buffer.ByteBufUtil.getBytes(got)).containsExactly(7, 8, 9);
    }

    @Test
    void lazyDialerFailsWhenTheListenerRefuses() {
        EmbeddedChannel ch = new EmbeddedChannel(new MultistreamHandler(true, true, "/noise", 1024, 4, ctx -> { }));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ch.writeInbound(Unpooled.wrappedBuffer(
                        Multistream.encode(Multistream.PROTOCOL_ID), Multistream.encode(Multistream.NA))))
                .hasRootCauseInstanceOf(io.warpstats.p2p.ProtocolViolationException.class).hasMessageContaining("refused");
    }
}
