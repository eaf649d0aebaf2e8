package io.warpstats.p2p;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.warpstats.p2p.crypto.PrivateKey;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class PeerIdTest {
    static JsonNode vectors() throws Exception {
        return new ObjectMapper().readTree(Path.of(System.getProperty("warpstats.shared", "../../shared"), "vectors/ipld-libp2p.json").toFile());
    }

    @Test
    void reproducesEverySharedPeerIdVector() throws Exception {
        HexFormat hex = HexFormat.of();
        for (JsonNode v : vectors().get("peerIds")) {
            PrivateKey key = PrivateKey.fromSeed(hex.parseHex(v.get("ed25519SeedHex").asText()));
            assertThat(hex.formatHex(key.publicKey().raw())).isEqualTo(v.get("publicKeyRawHex").asText());
            assertThat(hex.formatHex(key.publicKey().toProtobuf())).isEqualTo(v.get("publicKeyProtobufHex").asText());
            PeerId id = PeerId.fromPublicKey(key.publicKey());
            assertThat(id.toString()).isEqualTo(v.get("peerIdBase58").asText());
            assertThat(hex.formatHex(id.toBytes())).isEqualTo(v.get("peerIdMultihashHex").asText());
            assertThat(id.toCidString()).isEqualTo(v.get("peerIdCidBase32").asText());
            assertThat(PeerId.parse(v.get("peerIdCidBase32").asText())).isEqualTo(id);
            assertThat(PeerId.parse(v.get("peerIdBase58").asText())).isEqualTo(id);
            assertThat(id.publicKey()).contains(key.publicKey());
            byte[] sig = key.sign("hello".getBytes());
            assertThat(key.publicKey().verify("hello".getBytes(), sig)).isTrue();
            assertThat(key.publicKey().verify("hellO".getBytes(), sig)).isFalse();
        }
    }
}
