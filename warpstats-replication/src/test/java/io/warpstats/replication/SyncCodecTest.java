package io.warpstats.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.Zstd;
import com.google.protobuf.CodedOutputStream;
import io.warpstats.multiformats.Cid;
import io.warpstats.replication.SyncMessage.Blocks;
import io.warpstats.replication.SyncMessage.Branch;
import io.warpstats.replication.SyncMessage.Code;
import io.warpstats.replication.SyncMessage.Get;
import io.warpstats.replication.SyncMessage.Status;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class SyncCodecTest {
    private static final SyncCodec.Limits LIMITS = SyncCodec.Limits.of(SyncParams.defaults());

    @Property(tries = 300)
    void roundTrips(@ForAll("messages") SyncMessage m, @ForAll boolean compress) {
        byte[] bytes = SyncCodec.encode(m, compress ? 0 : -1, 3);
        assertThat(SyncCodec.decode(bytes, LIMITS)).isEqualTo(m);
    }

    @Property(tries = 1000)
    void arbitraryBytesFailOnlyAsMalformed(@ForAll byte[] junk) {
        try {
            SyncCodec.decode(junk, LIMITS);
        } catch (MalformedFrameException expected) {
            // the only failure allowed
        }
    }

    @Property(tries = 300)
    void truncatedFramesFailOnlyAsMalformed(@ForAll("messages") SyncMessage m, @ForAll boolean compress) {
        byte[] bytes = SyncCodec.encode(m, compress ? 0 : -1, 3);
        for (int cut = 0; cut < bytes.length; cut += Math.max(1, bytes.length / 16)) {
            try {
                SyncCodec.decode(java.util.Arrays.copyOf(bytes, cut), LIMITS);
            } catch (MalformedFrameException expected) {
                // fine
            }
        }
    }

    @Test
    void compressionBombIsRefused() throws Exception {
        byte[] zeros = new byte[64 << 20];
        byte[] z = Zstd.compress(zeros, 19);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(body);
        out.writeByteArray(2, z);
        out.writeUInt32(3, 1024); // lies about the size
        out.flush();
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        CodedOutputStream f = CodedOutputStream.newInstance(frame);
        f.writeByteArray(3, body.toByteArray());
        f.flush();
        assertThatThrownBy(() -> SyncCodec.decode(frame.toByteArray(), LIMITS)).isInstanceOf(MalformedFrameException.class);
    }

    @Test
    void tooManyCidsAreRefused() {
        List<Cid> many = new ArrayList<>();
        for (int i = 0; i <= LIMITS.maxCids(); i++) many.add(Cid.ofDagPb(new byte[] {(byte) i, (byte) (i >> 8)}));
        byte[] bytes = SyncCodec.encode(new Get(many));
        assertThatThrownBy(() -> SyncCodec.decode(bytes, LIMITS)).isInstanceOf(MalformedFrameException.class);
    }

    @Provide
    Arbitrary<SyncMessage> messages() {
        Arbitrary<Cid> cid = Arbitraries.bytes().array(byte[].class).ofMaxSize(64).map(Cid::ofDagPb);
        Arbitrary<List<Cid>> cids = cid.list().ofMaxSize(20);
        Arbitrary<byte[]> block = Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMaxSize(300),
                Arbitraries.strings().withChars("/CRDT/incr/like0123456789abcdef").ofMaxLength(400).map(String::getBytes));
        Arbitrary<SyncMessage> get = cids.map(Get::new);
        Arbitrary<SyncMessage> branch = Combinators.combine(cids, cids, Arbitraries.integers().between(0, 5000)).as(Branch::new);
        Arbitrary<SyncMessage> blocks = block.list().ofMaxSize(30).map(Blocks::new);
        Arbitrary<SyncMessage> status = Combinators.combine(Arbitraries.of(Code.class), cids, cids,
                Arbitraries.strings().ofMaxLength(50)).as(Status::new);
        return Arbitraries.oneOf(get, branch, blocks, status);
    }
}
