package io.warpstats.p2p.yamux;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.warpstats.p2p.HostOptions;
import io.warpstats.p2p.ProtocolViolationException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Coverage-guided fuzzing of Yamux framing: {@link YamuxHeader#decode} (total over 12 bytes: a
 * header that encodes back to the same bytes, or {@link ProtocolViolationException}), then a
 * listening {@link YamuxSession} fed the input in fuzzer-chosen chunks. The session may close the
 * connection, but only for a {@link ProtocolViolationException} (logged at WARN) or a write to the
 * channel it already closed (any other cause is logged at DEBUG and is a finding); once the channel is closed no received byte stays charged
 * to the receive budget and every input buffer is released.
 */
class YamuxFuzzer {
    private static final Logger SESSION_LOG = (Logger) LoggerFactory.getLogger(YamuxSession.class);
    private static final ListAppender<ILoggingEvent> EVENTS = new ListAppender<>();

    static {
        SESSION_LOG.setLevel(Level.DEBUG);
        SESSION_LOG.setAdditive(false);
        SESSION_LOG.addAppender(EVENTS);
        EVENTS.start();
    }

    @FuzzTest(maxDuration = "3s")
    void frames(FuzzedDataProvider data) {
        int chunk = data.consumeInt(1, 4096);
        byte[] input = data.consumeRemainingAsBytes();
        headers(input);
        session(input, chunk);
    }

    private static void headers(byte[] input) {
        ByteBuf in = Unpooled.wrappedBuffer(input);
        while (in.readableBytes() >= YamuxHeader.SIZE) {
            int start = in.readerIndex();
            try {
                YamuxHeader h = YamuxHeader.decode(in);
                ByteBuf out = Unpooled.buffer(YamuxHeader.SIZE);
                h.encode(out);
                assertThat(out).isEqualTo(in.slice(start, YamuxHeader.SIZE));
            } catch (ProtocolViolationException rejected) {
                assertThat(in.readerIndex()).isEqualTo(start + YamuxHeader.SIZE);
            }
        }
    }

    private static void session(byte[] input, int chunk) {
        EVENTS.list.clear();
        ReceiveBudget budget = new ReceiveBudget(1 << 20);
        List<YamuxStream> inbound = new ArrayList<>();
        EmbeddedChannel ch = new EmbeddedChannel(new YamuxSession(false, HostOptions.defaults(), budget,
                new YamuxSession.Listener() {
                    @Override
                    public void inboundStream(YamuxStream stream) {
                        inbound.add(stream);
                    }

                    @Override
                    public void streamCountChanged(int count) {}
                }));
        List<ByteBuf> pieces = new ArrayList<>();
        for (int off = 0; off < input.length && ch.isOpen(); off += chunk) {
            ByteBuf piece = Unpooled.copiedBuffer(input, off, Math.min(chunk, input.length - off));
            pieces.add(piece);
            ch.writeInbound(piece);
            ch.runPendingTasks();
        }
        ch.finishAndReleaseAll();
        for (ILoggingEvent e : EVENTS.list) {
            // a write after the session closed the channel (e.g. a PING answered after a GO_AWAY in the
            // same read) fails with ClosedChannelException: the peer-went-away case, not a finding
            if (e.getLevel() == Level.DEBUG && e.getFormattedMessage().contains("closing connection")
                    && !e.getFormattedMessage().contains("ClosedChannelException")) {
                throw new AssertionError("connection closed for something else than a protocol violation: "
                        + e.getFormattedMessage());
            }
        }
        assertThat(budget.used()).as("received bytes still charged after close").isZero();
        for (ByteBuf piece : pieces) assertThat(piece.refCnt()).as("input buffer leaked").isZero();
    }
}
