package io.warpstats.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import picocli.CommandLine;

/**
 * Coverage-guided fuzzing of the CLI's block input, through the real command line in process:
 * {@code block decode --hex} with fuzzed bytes (or fuzzed text) and {@code block encode} with a
 * fuzzed JSON document on stdin. Each exits 0 or 2 (bad input, one line on stderr), never 1
 * (an unexpected exception). What {@code decode} prints, encoded again, decodes to the same JSON
 * apart from the CID (the CID is of the canonical bytes).
 */
class BlockCommandFuzzer {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** One command line for all runs (picocli resets options before each parse): building one costs ~ms. */
    private static final CommandLine CLI = Main.commandLine();

    record Run(int exit, String out, String err) {}

    static Run run(String stdin, String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = CLI;
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        InputStream saved = System.in;
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        try {
            return new Run(cl.execute(args), out.toString(), err.toString());
        } finally {
            System.setIn(saved);
        }
    }

    @FuzzTest(maxDuration = "3s")
    void blockInput(FuzzedDataProvider data) throws Exception {
        int mode = data.consumeInt(0, 2);
        Run r = switch (mode) {
            case 0 -> run("", "block", "decode", "--hex", HexFormat.of().formatHex(data.consumeRemainingAsBytes()));
            case 1 -> run("", "block", "decode", "--hex", data.consumeRemainingAsString());
            default -> run(data.consumeRemainingAsString(), "block", "encode");
        };
        assertThat(r.exit()).as("exit code; stderr: %s", r.err()).isIn(0, 2);
        if (r.exit() != 0 || mode == 2) return;
        ObjectNode decoded = (ObjectNode) JSON.readTree(r.out());
        decoded.remove("cid");
        Run enc = run(decoded.toString(), "block", "encode");
        assertThat(enc.exit()).as("encode of decode's output; stderr: %s", enc.err()).isZero();
        Run again = run("", "block", "decode", "--hex", JSON.readTree(enc.out()).get("blockHex").asText());
        assertThat(again.exit()).isZero();
        ObjectNode redecoded = (ObjectNode) JSON.readTree(again.out());
        redecoded.remove("cid");
        assertThat(redecoded).isEqualTo(decoded);
    }
}
