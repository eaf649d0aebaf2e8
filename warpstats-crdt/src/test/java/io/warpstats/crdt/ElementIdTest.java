package io.warpstats.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.warpstats.multiformats.Cid;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Element ids as go-ds-crdt forms them, checked against the tombstone of the shared vectors' merge block. */
class ElementIdTest {
    static JsonNode vectors() throws Exception {
        return new ObjectMapper().readTree(Path.of(System.getProperty("warpstats.shared", "../../shared"), "vectors", "ipld-libp2p.json").toFile());
    }

    static JsonNode block(JsonNode v, String name) {
        for (JsonNode b : v.get("blocks")) if (b.get("name").asText().equals(name)) return b;
        throw new AssertionError("no block " + name);
    }

    @Test
    void theIdOfTheRootBlockIsTheIdTheMergeBlocksTombstoneNames() throws Exception {
        JsonNode v = vectors();
        Cid root = Cid.parse(block(v, "root").get("cid").asText());
        byte[] mergeBytes = java.util.HexFormat.of().parseHex(block(v, "merge").get("blockHex").asText());
        Block merge = Block.decode(mergeBytes);
        String tombstoneId = merge.delta().tombstones().get(0).id();
        assertThat(ElementId.of(root)).isEqualTo(tombstoneId).startsWith("/CIQ");
        assertThat(ElementId.block(tombstoneId)).contains(root);
        assertThat(ElementId.canonical(root.toString())).isEqualTo(tombstoneId);
        assertThat(ElementId.canonical(tombstoneId)).isEqualTo(tombstoneId);
        assertThat(ElementId.canonical("not-a-cid")).isEqualTo("not-a-cid");
        assertThat(ElementId.block("/!!")).isEmpty();
    }
}
