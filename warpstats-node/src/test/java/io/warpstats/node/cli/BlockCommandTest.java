package io.warpstats.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class BlockCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Run(int exit, String out, String err) {}

    static Run run(String stdin, String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        InputStream saved = System.in;
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        try {
            int exit = cl.execute(args);
            return new Run(exit, out.toString(), err.toString());
        } finally {
            System.setIn(saved);
        }
    }

    static List<JsonNode> vectorBlocks() throws Exception {
        JsonNode v = JSON.readTree(Path.of(System.getProperty("warpstats.shared", "../../shared"), "vectors/ipld-libp2p.json").toFile());
        List<JsonNode> out = new ArrayList<>();
        v.get("blocks").forEach(out::add);
        return out;
    }

    @Test
    void decodesEveryVectorBlockAndEncodesItBackToTheSameBytes() throws Exception {
        List<JsonNode> blocks = vectorBlocks();
        assertThat(blocks).hasSize(5);
        for (JsonNode vector : blocks) {
            Run decoded = run("", "block", "decode", "--hex", vector.get("blockHex").asText());
            assertThat(decoded.exit()).as(decoded.err()).isZero();
            JsonNode json = JSON.readTree(decoded.out());
            assertThat(json.get("cid").asText()).isEqualTo(vector.get("cid").asText());
            assertThat(json.get("priority").isIntegralNumber()).isTrue();
            assertThat(json.get("elements").size() + json.get("tombstones").size()).isPositive();

            Run encoded = run(decoded.out(), "block", "encode");
            assertThat(encoded.exit()).as(encoded.err()).isZero();
            JsonNode enc = JSON.readTree(encoded.out());
            assertThat(enc.get("cid").asText()).isEqualTo(vector.get("cid").asText());
            assertThat(enc.get("blockHex").asText()).isEqualTo(vector.get("blockHex").asText());
        }
    }

    @Test
    void decodeShowsLinksInWireOrderAndUint64Values() throws Exception {
        JsonNode merge = vectorBlocks().stream().filter(b -> b.get("name").asText().equals("merge")).findFirst().orElseThrow();
        JsonNode json = JSON.readTree(run("", "block", "decode", "--hex", merge.get("blockHex").asText()).out());
        assertThat(json.get("links")).hasSize(2);
        assertThat(json.get("links").get(0).asText()).startsWith("bafy");
        assertThat(json.get("tombstones")).isNotEmpty();
        JsonNode named = vectorBlocks().stream().filter(b -> b.get("name").asText().equals("named")).findFirst().orElseThrow();
        JsonNode n = JSON.readTree(run("", "block", "decode", "--hex", named.get("blockHex").asText()).out());
        assertThat(n.get("dagName").asText()).isNotEmpty();
        assertThat(n.get("elements").get(0).get("valueHex").asText()).isEqualTo("ffffffffffffffff");
    }

    @Test
    void encodeWithoutCidAndWithAnUnknownMinimalDeltaWorks() throws Exception {
        Run r = run("{\"links\":[],\"priority\":1,\"elements\":[{\"key\":\"/k\",\"valueHex\":\"01\"}]}", "block", "encode");
        assertThat(r.exit()).as(r.err()).isZero();
        String hex = JSON.readTree(r.out()).get("blockHex").asText();
        Run back = run("", "block", "decode", "--hex", hex);
        assertThat(JSON.readTree(back.out()).get("elements").get(0).get("key").asText()).isEqualTo("/k");
    }

    @ParameterizedTest
    @ValueSource(strings = {"zz", "0a", "12ff", "0a0b0c", ""})
    void decodeOfMalformedHexOrBlockExits2WithOneLine(String hex) {
        Run r = run("", "block", "decode", "--hex", hex);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith("error:").doesNotContain("\n").doesNotContain("Exception");
        assertThat(r.out()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "not json", "[1,2]", "{\"links\":\"x\"}", "{\"links\":[\"notacid\"]}", "{\"priority\":-1}",
        "{\"priority\":18446744073709551616}", "{\"priority\":1.5}", "{\"elements\":[{\"valueHex\":\"00\"}]}",
        "{\"elements\":[{\"key\":\"/a\",\"valueHex\":\"xyz\"}]}", "{\"bogus\":1}",
        "{\"cid\":\"bafybeihghwcomdzsbbvwqwawq7a33gk53tuvazgksaaz5v2xpb725kbwbm\",\"priority\":9}"
    })
    void encodeOfMalformedJsonExits2WithOneLine(String stdin) {
        Run r = run(stdin, "block", "encode");
        assertThat(r.exit()).as(r.out()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith("error:").doesNotContain("\n").doesNotContain("Exception");
    }

    @Test
    void unknownSubcommandIsAUsageErrorWithExit2() {
        assertThat(run("", "block", "frobnicate").exit()).isEqualTo(2);
    }
}
