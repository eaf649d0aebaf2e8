package io.warpstats.crdt;

/**
 * The checks a remote block passes before it is applied. The {@link VerifyStage} decides where
 * each runs (the shape while decoding, the author on the verify pool for
 * signed deltas) and rejects the block on the {@link IllegalArgumentException} thrown here.
 */
final class BlockChecks {
    private final DeltaVerifier verifier;
    private final WriteAuthorizer authorizer;
    private final boolean acceptUnsigned;

    BlockChecks(DeltaVerifier verifier, WriteAuthorizer authorizer, boolean acceptUnsigned) {
        this.verifier = verifier;
        this.authorizer = authorizer;
        this.acceptUnsigned = acceptUnsigned;
    }

    /** The checks that need no signature: cheap, done while decoding. */
    void checkShape(Block block) {
        Delta d = block.delta();
        if (d.dagName().indexOf('\0') >= 0) throw new IllegalArgumentException("dagName contains NUL");
        if (!(d.isSigned() && verifier != null) && !acceptUnsigned) {
            throw new IllegalArgumentException(d.isSigned() ? "signed delta but no verifier" : "unsigned delta");
        }
        for (Element e : d.elements()) LocalWriter.checkKey(e.key());
        for (Element t : d.tombstones()) {
            LocalWriter.checkKey(t.key());
            if (t.id().isEmpty()) throw new IllegalArgumentException("tombstone without id");
        }
        if (d.checkpoint() != null) {
            if (d.epoch().length == 0) throw new IllegalArgumentException("checkpoint without epoch");
            if (!d.elements().isEmpty()) throw new IllegalArgumentException("checkpoint with new elements");
            for (CheckpointPart.Restated r : d.checkpoint().restated()) LocalWriter.checkKey(r.key());
        }
    }

    /** Signature (the costly part: run on the verify pool for signed deltas) and authorizer. */
    void checkAuthor(Block block) {
        Delta d = block.delta();
        String author = null;
        if (d.isSigned() && verifier != null) {
            author = verifier.verify(d.author(), d.signingPayload(block.links()), d.signature());
        } else if (!acceptUnsigned) {
            throw new IllegalArgumentException(d.isSigned() ? "signed delta but no verifier" : "unsigned delta");
        }
        for (Element e : d.elements()) {
            if (!authorizer.mayWrite(author, e.key())) throw new IllegalArgumentException(author + " may not write " + e.key());
        }
        for (Element t : d.tombstones()) {
            if (!authorizer.mayWrite(author, t.key())) throw new IllegalArgumentException(author + " may not delete " + t.key());
        }
        if (d.checkpoint() != null) { // a checkpoint restates only what its author may write: nobody restates another's slot
            for (CheckpointPart.Restated r : d.checkpoint().restated()) {
                if (!authorizer.mayWrite(author, r.key())) throw new IllegalArgumentException(author + " may not restate " + r.key());
            }
        }
    }
}
