package io.warpstats.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import io.warpstats.multiformats.Cid;
import io.warpstats.multiformats.DagPb;
import io.warpstats.multiformats.Multihash;
import io.warpstats.multiformats.Varint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Reproduces every block, CID, broadcast and varint of shared/vectors/ipld-libp2p.json. */
class VectorsTest {
    static JsonNode root;
    static final HexFormat HEX = HexFormat.of();

    @BeforeAll
    static void load() throws IOException {
        String shared = System.getProperty("warpstats.shared", "../../shared");
        root = new ObjectMapper().readTree(Path.of(shared, "vectors", "ipld-libp2p.json").toFile());
    }

    @Test
    void blocks() {
        int n = 0;
        for (JsonNode v : root.get("blocks")) {
            byte[] blockBytes = HEX.parseHex(v.get("blockHex").asText());
            byte[] deltaBytes = HEX.parseHex(v.get("deltaHex").asText());
            Cid cid = Cid.parse(v.get("cid").asText());
            // CID: printed, binary, multihash
            assertThat(Cid.ofDagPb(blockBytes)).as(v.get("name").asText()).isEqualTo(cid);
            assertThat(cid.toString()).isEqualTo(v.get("cid").asText());
            assertThat(HEX.formatHex(cid.toBytes())).isEqualTo(v.get("cidBytesHex").asText());
            assertThat(HEX.formatHex(cid.multihash().toBytes())).isEqualTo(v.get("multihashHex").asText());
            assertThat(Multihash.fromBytes(HEX.parseHex(v.get("multihashHex").asText()))).isEqualTo(cid.multihash());
            // dag-pb and Delta decode, then re-encode byte for byte
            DagPb.Node node = DagPb.decode(blockBytes);
            assertThat(node.data()).isEqualTo(deltaBytes);
            assertThat(DagPb.encode(node)).isEqualTo(blockBytes);
            Delta delta = Delta.parse(deltaBytes);
            assertThat(delta.toBytes()).isEqualTo(deltaBytes);
            Block block = Block.decodeVerified(cid, blockBytes);
            assertThat(block.delta()).isEqualTo(delta);
            // and built from scratch, as the engine builds blocks: links with empty name and Tsize 0
            Block rebuilt = Block.of(block.links(), new Delta(delta.elements(), delta.tombstones(), delta.priority(), delta.dagName()));
            assertThat(rebuilt.cid()).isEqualTo(cid);
            assertThat(rebuilt.toBytes()).isEqualTo(blockBytes);
            n++;
        }
        assertThat(n).isEqualTo(5);
    }

    @Test
    void blockContentsAreTheOnesDescribed() {
        JsonNode blocks = root.get("blocks");
        Block rootB = Block.decode(HEX.parseHex(blocks.get(0).get("blockHex").asText()));
        assertThat(rootB.links()).isEmpty();
        assertThat(rootB.delta().priority()).isEqualTo(1);
        assertThat(rootB.delta().elements()).containsExactly(Element.of("/incr/likes/tweet-1/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN",
                new byte[] {0, 0, 0, 0, 0, 0, 0, 1}));
        Block merge = Block.decode(HEX.parseHex(blocks.get(3).get("blockHex").asText()));
        assertThat(merge.links()).containsExactly(Cid.parse(blocks.get(1).get("cid").asText()), Cid.parse(blocks.get(2).get("cid").asText()));
        assertThat(merge.delta().tombstones()).hasSize(1);
        assertThat(merge.delta().tombstones().get(0).id()).startsWith("/CIQ").as("go-ds-crdt v0 tombstone id");
        Block named = Block.decode(HEX.parseHex(blocks.get(4).get("blockHex").asText()));
        assertThat(named.delta().dagName()).isEqualTo("shard-7");
        assertThat(named.delta().elements().get(0).value()).containsOnly((byte) 0xff);
    }

    @Test
    void broadcasts() {
        for (JsonNode v : root.get("broadcasts")) {
            List<CrdtBroadcast.Announced> heads = new ArrayList<>();
            for (int i = 0; i < v.get("heads").size(); i++) {
                String dag = v.has("dagNames") ? v.get("dagNames").get(i).asText() : "";
                heads.add(new CrdtBroadcast.Announced(Cid.parse(v.get("heads").get(i).asText()), dag));
            }
            byte[] msg = HEX.parseHex(v.get("messageHex").asText());
            assertThat(new CrdtBroadcast(heads).toBytes()).isEqualTo(msg);
            assertThat(CrdtBroadcast.parse(msg).heads()).isEqualTo(heads);
        }
    }

    @Test
    void varints() throws IOException {
        for (JsonNode v : root.get("varints")) {
            BigInteger value = new BigInteger(v.get("value").asText());
            byte[] hex = HEX.parseHex(v.get("hex").asText());
            // protobuf uint64 (the Delta priority) covers the whole range ...
            ByteArrayOutputStream bos = new ByteArrayOutputStream();
            CodedOutputStream cos = CodedOutputStream.newInstance(bos);
            cos.writeUInt64NoTag(value.longValue());
            cos.flush();
            assertThat(bos.toByteArray()).as(value.toString()).isEqualTo(hex);
            assertThat(new BigInteger(Long.toUnsignedString(CodedInputStream.newInstance(hex).readRawVarint64()))).isEqualTo(value);
            // ... and the multiformats unsigned varint covers 0..2^63-1 (it refuses longer by spec)
            if (value.bitLength() <= 63) {
                assertThat(Varint.encode(value.longValue())).isEqualTo(hex);
                assertThat(Varint.decode(hex, 0)).isEqualTo(value.longValue());
            }
        }
    }
}
