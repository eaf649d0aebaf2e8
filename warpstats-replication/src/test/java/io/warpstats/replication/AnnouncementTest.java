package io.warpstats.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.Zstd;
import com.google.protobuf.CodedOutputStream;
import io.warpstats.crdt.CrdtBroadcast;
import io.warpstats.multiformats.Cid;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The announcement's compressed push: encoded and read back, go-ds-crdt's view of it, hostile encodings. */
class AnnouncementTest {
    private static final String PEER = "12D3KooWLRPJAA5o6Z6HeDHmkdGqjsMCP3fAi8ZGdZ9ddzfhFt4v";

    /** Blocks like a flush's: counter-slot keys that repeat the peer id and the prefixes. */
    private static List<byte[]> blocks(int n, long seed) {
        Random r = new Random(seed);
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder b = new StringBuilder();
            for (int k = 0; k < 6; k++) {
                b.append("/incr/likes/post-").append(r.nextInt(10_000)).append("-0/").append(PEER).append("/00000000deadbeef=")
                        .append(r.nextInt(1000)).append(';');
            }
            out.add(b.toString().getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    private static List<CrdtBroadcast.Announced> heads(List<byte[]> blocks) {
        return List.of(new CrdtBroadcast.Announced(Cid.ofDagPb(blocks.get(blocks.size() - 1)), ""));
    }

    @Test
    void aPushOfSeveralBlocksIsCompressedAndReadBackExactly() {
        List<byte[]> blocks = blocks(5, 1);
        byte[] plain = new CrdtBroadcast(heads(blocks), blocks).toBytes();
        byte[] wire = Announcement.encode(heads(blocks), blocks);
        System.out.printf("announcement of 5 blocks: %d bytes plain, %d compressed%n", plain.length, wire.length);
        assertThat(wire.length).isLessThan(plain.length / 2);
        CrdtBroadcast back = Announcement.decode(wire);
        assertThat(back.heads()).isEqualTo(heads(blocks));
        assertThat(back.blocks()).hasSize(5);
        for (int i = 0; i < 5; i++) assertThat(back.blocks().get(i)).isEqualTo(blocks.get(i));
        // a go-ds-crdt reader sees the heads and skips the rest
        assertThat(CrdtBroadcast.parse(wire).heads()).isEqualTo(heads(blocks));
        assertThat(CrdtBroadcast.parse(wire).blocks()).isEmpty();
    }

    @Test
    void incompressibleOrNoBlocksStayPlain() {
        byte[] noise = new byte[300];
        new Random(2).nextBytes(noise);
        List<byte[]> blocks = List.of(noise);
        assertThat(Announcement.encode(heads(blocks), blocks)).isEqualTo(new CrdtBroadcast(heads(blocks), blocks).toBytes());
        assertThat(Announcement.encode(heads(blocks), List.of())).isEqualTo(new CrdtBroadcast(heads(blocks)).toBytes());
        assertThat(Announcement.decode(Announcement.encode(heads(blocks), blocks)).blocks().get(0)).isEqualTo(noise);
    }

    private static byte[] withPush(List<CrdtBroadcast.Announced> heads, byte[] z, long rawSize, boolean twice) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        buf.writeBytes(new CrdtBroadcast(heads).toBytes());
        CodedOutputStream out = CodedOutputStream.newInstance(buf);
        out.writeByteArray(16, z);
        if (twice) out.writeByteArray(16, z);
        if (rawSize >= 0) out.writeUInt32(17, (int) rawSize);
        out.flush();
        return buf.toByteArray();
    }

    @Test
    void hostilePushesAreRejected() throws IOException {
        List<byte[]> blocks = blocks(3, 3);
        byte[] pushed = new CrdtBroadcast(List.of(), blocks).toBytes();
        byte[] z = Zstd.compress(pushed, 3);
        assertThat(Announcement.decode(withPush(heads(blocks), z, pushed.length, false)).blocks()).hasSize(3);
        assertThatThrownBy(() -> Announcement.decode(withPush(heads(blocks), z, -1, false)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Announcement.decode(withPush(heads(blocks), z, pushed.length - 1, false)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Announcement.decode(withPush(heads(blocks), z, pushed.length + 1, false)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Announcement.decode(withPush(heads(blocks), z, pushed.length, true)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Announcement.decode(withPush(heads(blocks), "not zstd".getBytes(), 100, false)))
                .isInstanceOf(IllegalArgumentException.class);
        // a zstd bomb: a megabyte of zeros claims to be small, or claims its true size beyond the bound
        byte[] bomb = Zstd.compress(new byte[1 << 20], 3);
        assertThatThrownBy(() -> Announcement.decode(withPush(heads(blocks), bomb, 1000, false)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Announcement.decode(withPush(heads(blocks), bomb, 1 << 20, false)))
                .isInstanceOf(IllegalArgumentException.class);
        // heads hidden inside the push
        byte[] inner = new CrdtBroadcast(heads(blocks), blocks).toBytes();
        assertThatThrownBy(() -> Announcement.decode(withPush(heads(blocks), Zstd.compress(inner, 3), inner.length, false)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
