package io.warpstats.replication;

import io.warpstats.multiformats.Cid;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The frames of {@code /warpstats/sync/1.0.0} (layout and field numbers in docs/replication.md). Every
 * frame is one varint-length-prefixed protobuf {@code Frame} whose oneof field selects the variant.
 * Requests go from the asker to the server; {@link Blocks} and {@link Status} answer them.
 */
public sealed interface SyncMessage {

    /** A request: {@link Get} or {@link Branch}. */
    sealed interface Request extends SyncMessage {}

    /** A frame of an answer: {@link Blocks} (zero or more), then one {@link Status}. */
    sealed interface Answer extends SyncMessage {}

    /** GET (Frame field 1): the blocks with these CIDs, in any order. */
    record Get(List<Cid> cids) implements Request {
        public Get { cids = List.copyOf(cids); }
    }

    /**
     * BRANCH (Frame field 2): the blocks under {@code heads}, parents before their links, down to
     * (excluding) any block in {@code have} or below a block of {@code have} the server holds.
     *
     * @param heads     where the walk starts
     * @param have      blocks the asker already holds (its heads and some of their ancestors); on a
     *                  stream they accumulate over the requests of that stream
     * @param maxBlocks most blocks the asker wants in this answer (0: the server's budget)
     */
    record Branch(List<Cid> heads, List<Cid> have, int maxBlocks) implements Request {
        public Branch {
            heads = List.copyOf(heads);
            have = List.copyOf(have);
            if (maxBlocks < 0) throw new IllegalArgumentException("maxBlocks < 0");
        }
    }

    /**
     * BLOCKS (Frame field 3): raw dag-pb blocks in dependency order. On the wire the list may be
     * zstd-compressed; this record always holds the decompressed blocks.
     */
    record Blocks(List<byte[]> blocks) implements Answer {
        public Blocks {
            List<byte[]> copy = new ArrayList<>(blocks.size());
            for (byte[] b : blocks) copy.add(Objects.requireNonNull(b).clone());
            blocks = List.copyOf(copy);
        }

        @Override
        public List<byte[]> blocks() {
            List<byte[]> copy = new ArrayList<>(blocks.size());
            for (byte[] b : blocks) copy.add(b.clone());
            return copy;
        }

        /** The number of blocks. */
        public int size() { return blocks.size(); }

        /** The i-th block (not copied: do not modify). */
        byte[] blockAt(int i) { return blocks.get(i); }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Blocks b) || b.blocks.size() != blocks.size()) return false;
            for (int i = 0; i < blocks.size(); i++) if (!Arrays.equals(blocks.get(i), b.blocks.get(i))) return false;
            return true;
        }

        @Override
        public int hashCode() {
            int h = 1;
            for (byte[] b : blocks) h = 31 * h + Arrays.hashCode(b);
            return h;
        }

        @Override
        public String toString() { return "Blocks[" + blocks.size() + "]"; }
    }

    /** The outcome of a request, the last frame of every answer. */
    enum Code {
        /** Everything asked for that the server holds was sent. */
        COMPLETE(0),
        /** The budget ran out; ask again for {@link Status#continuation()}. */
        TRUNCATED(1),
        /** The server is at its limit of concurrent answers; ask another peer or later. */
        BUSY(2),
        /** The request was malformed or beyond the limits; the stream is closed after this frame. */
        REFUSED(3);

        final int wire;

        Code(int wire) { this.wire = wire; }

        static Code of(int wire) {
            for (Code c : values()) if (c.wire == wire) return c;
            throw new IllegalArgumentException("unknown status code " + wire);
        }
    }

    /**
     * STATUS (Frame field 4).
     *
     * @param code         the outcome
     * @param continuation (TRUNCATED) the unsent blocks directly below what was sent: the heads of the next BRANCH
     * @param missing      requested blocks (GET) or blocks of the branch the server does not hold
     * @param reason       a human-readable reason (REFUSED, BUSY), may be empty
     * @param pruned       (BRANCH) blocks of {@code missing} that a block the server holds links to and that the server
     *                     compacted away: a checkpoint above them restates their live content
     */
    record Status(Code code, List<Cid> continuation, List<Cid> missing, String reason, List<Cid> pruned) implements Answer {
        public Status {
            Objects.requireNonNull(code, "code");
            continuation = List.copyOf(continuation);
            missing = List.copyOf(missing);
            Objects.requireNonNull(reason, "reason");
            pruned = List.copyOf(pruned);
        }

        Status(Code code, List<Cid> continuation, List<Cid> missing, String reason) {
            this(code, continuation, missing, reason, List.of());
        }

        static Status of(Code code, String reason) { return new Status(code, List.of(), List.of(), reason); }
    }
}
