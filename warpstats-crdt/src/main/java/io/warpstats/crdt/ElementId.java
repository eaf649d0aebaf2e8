package io.warpstats.crdt;

import io.warpstats.multiformats.Cid;
import io.warpstats.multiformats.Multibase;
import io.warpstats.multiformats.Multihash;
import java.util.Locale;
import java.util.Optional;

/**
 * The id of a merged element: the block that carried it, named as go-ds-crdt names it
 * ({@code MultihashToDsKey}: {@code "/"} + the block's multihash in upper-case RFC 4648 base32 without
 * padding, e.g. {@code /CIQ…}), so that a tombstone written by one implementation removes the other's
 * element. Elements travel with empty ids; the id is given when a block is merged.
 *
 * <p>Earlier releases of this project named elements after the block's CID string ({@code bafy…}); such
 * ids are still understood ({@link #canonical}) so tombstones in old blocks keep removing what they named.
 */
final class ElementId {
    private ElementId() {}

    /** The id of the elements carried by block {@code cid}. */
    static String of(Cid cid) {
        return "/" + Multibase.base32(cid.multihash().toBytes()).toUpperCase(Locale.ROOT);
    }

    /** {@code id} in the form of {@link #of}: a legacy CID string is converted; anything else is returned as is. */
    static String canonical(String id) {
        if (id.startsWith("/")) return id;
        try {
            return of(Cid.parse(id));
        } catch (IllegalArgumentException e) {
            return id; // not a CID: a foreign id, kept as written
        }
    }

    /** The dag-pb block an id names, if it names one (either form). */
    static Optional<Cid> block(String id) {
        try {
            if (id.startsWith("/")) {
                return Optional.of(Cid.v1(Cid.DAG_PB, Multihash.fromBytes(Multibase.decodeBase32(id.substring(1)))));
            }
            return Optional.of(Cid.parse(id));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
