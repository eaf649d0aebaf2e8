package io.warpstats.node.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.warpstats.crdt.Block;
import io.warpstats.crdt.Delta;
import io.warpstats.crdt.Element;
import io.warpstats.multiformats.Cid;
import io.warpstats.multiformats.DagPb;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code warpstats block decode|encode}: inspects and builds Merkle-CRDT blocks (dag-pb nodes
 * carrying a Delta). The JSON form is
 * {@code {"cid","links":[cid…],"priority":N,"dagName","elements":[{"key","id","valueHex"}],"tombstones":[…]}},
 * plus {@code authorHex}/{@code signatureHex} for signed deltas. Malformed input: one line on
 * stderr, exit 2.
 */
@Command(name = "block", description = "Decode and encode Merkle-CRDT blocks (dag-pb + Delta).",
        subcommands = {BlockCommand.Decode.class, BlockCommand.Encode.class})
public final class BlockCommand {
    /** Largest JSON document {@code encode} reads from stdin. */
    static final int MAX_JSON_BYTES = 8 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of();
    private static final Set<String> BLOCK_FIELDS =
            Set.of("cid", "links", "priority", "dagName", "elements", "tombstones", "authorHex", "signatureHex");
    private static final Set<String> ELEMENT_FIELDS = Set.of("key", "id", "valueHex");

    @Command(name = "decode", description = "Print a block (given as hex) as one JSON object.")
    static final class Decode implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Option(names = "--hex", required = true, description = "the block's bytes in hex")
        String hex;

        @Override
        public Integer call() {
            byte[] bytes;
            try {
                bytes = HEX.parseHex(hex.strip());
            } catch (IllegalArgumentException e) {
                throw new BadInputException("--hex is not hexadecimal: " + e.getMessage());
            }
            if (bytes.length == 0) throw new BadInputException("--hex is empty: a block has at least one byte");
            if (bytes.length > DagPb.MAX_BLOCK_SIZE) throw new BadInputException("block larger than " + DagPb.MAX_BLOCK_SIZE + " bytes");
            Block block;
            try {
                block = Block.decode(bytes);
            } catch (IllegalArgumentException e) {
                throw new BadInputException("not a Merkle-CRDT block: " + e.getMessage());
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println(toJson(block));
            out.flush();
            return 0;
        }
    }

    @Command(name = "encode", description = "Read a block's JSON (without cid) on stdin; print {\"cid\",\"blockHex\"}.")
    static final class Encode implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            byte[] input = readBounded(System.in);
            JsonNode root;
            try {
                root = JSON.readTree(input);
            } catch (JsonProcessingException e) {
                throw new BadInputException("stdin is not JSON: " + e.getOriginalMessage());
            } catch (IOException e) { // no I/O on a byte array: bytes that are not text (e.g. truncated UTF-32)
                throw new BadInputException("stdin is not JSON: " + e.getMessage());
            }
            if (root == null || !root.isObject()) throw new BadInputException("stdin must hold one JSON object");
            Block block = fromJson(root);
            ObjectNode out = JSON.createObjectNode();
            out.put("cid", block.cid().toString());
            out.put("blockHex", HEX.formatHex(block.toBytes()));
            spec.commandLine().getOut().println(out);
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    static byte[] readBounded(InputStream in) throws IOException {
        byte[] data = in.readNBytes(MAX_JSON_BYTES + 1);
        if (data.length > MAX_JSON_BYTES) throw new BadInputException("input larger than " + MAX_JSON_BYTES + " bytes");
        return data;
    }

    /** The JSON form of a block. */
    static String toJson(Block block) {
        ObjectNode o = JSON.createObjectNode();
        o.put("cid", block.cid().toString());
        ArrayNode links = o.putArray("links");
        block.links().forEach(l -> links.add(l.toString()));
        Delta d = block.delta();
        o.put("priority", new BigInteger(Long.toUnsignedString(d.priority()))); // a uint64
        o.put("dagName", d.dagName());
        elements(o.putArray("elements"), d.elements());
        elements(o.putArray("tombstones"), d.tombstones());
        if (d.isSigned()) {
            o.put("authorHex", HEX.formatHex(d.author()));
            o.put("signatureHex", HEX.formatHex(d.signature()));
        }
        return o.toString();
    }

    private static void elements(ArrayNode arr, List<Element> elements) {
        for (Element e : elements) {
            ObjectNode n = arr.addObject();
            n.put("key", e.key());
            n.put("id", e.id());
            n.put("valueHex", HEX.formatHex(e.value()));
        }
    }

    /** Builds a block from its JSON form; every malformation is a {@link BadInputException}. */
    static Block fromJson(JsonNode root) {
        checkFields(root, BLOCK_FIELDS, "block");
        List<Cid> links = new ArrayList<>();
        for (JsonNode l : array(root, "links")) {
            if (!l.isTextual()) throw new BadInputException("links must be CID strings");
            try {
                links.add(Cid.parse(l.asText()));
            } catch (IllegalArgumentException e) {
                throw new BadInputException("links: invalid CID '" + l.asText() + "': " + e.getMessage());
            }
        }
        long priority = priority(root.get("priority"));
        JsonNode dag = root.get("dagName");
        if (dag != null && !dag.isTextual()) throw new BadInputException("dagName must be a string");
        try {
            Delta delta = new Delta(elementList(root, "elements"), elementList(root, "tombstones"), priority,
                    dag == null ? "" : dag.asText(), hex(root, "authorHex"), hex(root, "signatureHex"));
            Block block = Block.of(links, delta);
            JsonNode cid = root.get("cid");
            if (cid != null && !cid.asText().equals(block.cid().toString())) {
                throw new BadInputException("cid " + cid.asText() + " does not match the content (" + block.cid() + ")");
            }
            return block;
        } catch (IllegalArgumentException e) {
            throw new BadInputException("invalid block: " + e.getMessage());
        }
    }

    private static long priority(JsonNode p) {
        if (p == null) return 0;
        String s = p.isIntegralNumber() || p.isTextual() ? p.asText() : null;
        if (s == null) throw new BadInputException("priority must be a non-negative integer");
        try {
            return Long.parseUnsignedLong(s);
        } catch (NumberFormatException e) {
            throw new BadInputException("priority must be an integer from 0 to 2^64-1, got " + s);
        }
    }

    private static List<Element> elementList(JsonNode root, String field) {
        List<Element> out = new ArrayList<>();
        for (JsonNode e : array(root, field)) {
            if (!e.isObject()) throw new BadInputException(field + " must hold objects");
            checkFields(e, ELEMENT_FIELDS, field + " entry");
            JsonNode key = e.get("key");
            if (key == null || !key.isTextual()) throw new BadInputException(field + ": every entry needs a string key");
            JsonNode id = e.get("id");
            if (id != null && !id.isTextual()) throw new BadInputException(field + ": id must be a string");
            out.add(new Element(key.asText(), id == null ? "" : id.asText(), hex(e, "valueHex")));
        }
        return out;
    }

    private static Iterable<JsonNode> array(JsonNode root, String field) {
        JsonNode a = root.get(field);
        if (a == null) return List.of();
        if (!a.isArray()) throw new BadInputException(field + " must be an array");
        return a;
    }

    private static byte[] hex(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null) return new byte[0];
        if (!v.isTextual()) throw new BadInputException(field + " must be a hex string");
        try {
            return HEX.parseHex(v.asText());
        } catch (IllegalArgumentException e) {
            throw new BadInputException(field + " is not hexadecimal");
        }
    }

    private static void checkFields(JsonNode node, Set<String> allowed, String what) {
        node.fieldNames().forEachRemaining(f -> {
            if (!allowed.contains(f)) throw new BadInputException("unknown field '" + f + "' in " + what);
        });
    }
}
