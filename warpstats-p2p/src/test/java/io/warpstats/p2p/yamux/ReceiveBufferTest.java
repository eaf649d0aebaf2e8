package io.warpstats.p2p.yamux;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.warpstats.p2p.HostOptions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How a stream keeps received bytes ({@code YamuxStream.buffer}): a frame that fills at least half
 * of the buffer it arrived in is kept as a slice of it (no copy), a smaller one is copied, so that a
 * few unread bytes never pin a whole decrypted message (memory held ≤ 2 × the budgeted bytes).
 */
class ReceiveBufferTest {
    private final List<YamuxStream> inbound = new ArrayList<>();
    private final ReceiveBudget budget = new ReceiveBudget(1 << 20);
    private final EmbeddedChannel channel = new EmbeddedChannel(new YamuxSession(false, HostOptions.defaults(), budget,
            new YamuxSession.Listener() {
                @Override
                public void inboundStream(YamuxStream stream) {
                    inbound.add(stream);
                }

                @Override
                public void streamCountChanged(int count) {}
            }));

    /** One SYN data frame of {@code len} bytes (values 0, 1, 2, …) in a direct buffer of {@code capacity}. */
    private static ByteBuf message(int len, int capacity) {
        ByteBuf b = Unpooled.directBuffer(capacity, capacity);
        new YamuxHeader(YamuxHeader.DATA, YamuxHeader.SYN, 1, len).encode(b);
        for (int i = 0; i < len; i++) b.writeByte(i);
        return b;
    }

    private byte[] readAll(int len) throws Exception {
        byte[] got = inbound.get(0).readExactly(len).get();
        channel.runPendingTasks();
        return got;
    }

    @Test
    void aFrameFillingItsMessageIsKeptAsASliceUntilRead() throws Exception {
        ByteBuf msg = message(1000, 1012);
        channel.writeInbound(msg);
        assertThat(inbound).hasSize(1);
        assertThat(msg.refCnt()).as("the stream holds a slice of the message").isEqualTo(1);
        assertThat(budget.used()).isEqualTo(1000);
        byte[] got = readAll(1000);
        assertThat(got[999]).isEqualTo((byte) 999);
        assertThat(msg.refCnt()).as("reading releases the slice").isZero();
        assertThat(budget.used()).isZero();
    }

    @Test
    void aSmallFrameInALargeMessageIsCopiedSoItPinsNothing() throws Exception {
        ByteBuf msg = message(100, 65_535);
        channel.writeInbound(msg);
        assertThat(inbound).hasSize(1);
        assertThat(msg.refCnt()).as("the message is released at once: the stream copied its 100 bytes").isZero();
        assertThat(budget.used()).isEqualTo(100);
        byte[] got = readAll(100);
        assertThat(got[99]).isEqualTo((byte) 99);
    }

    @Test
    void aResetStreamReleasesItsSlices() {
        ByteBuf msg = message(1000, 1012);
        channel.writeInbound(msg);
        assertThat(msg.refCnt()).isEqualTo(1);
        ByteBuf rst = Unpooled.buffer();
        new YamuxHeader(YamuxHeader.WINDOW_UPDATE, YamuxHeader.RST, 1, 0).encode(rst);
        channel.writeInbound(rst);
        assertThat(msg.refCnt()).as("a reset stream drops what it buffered").isZero();
        assertThat(budget.used()).isZero();
    }
}
