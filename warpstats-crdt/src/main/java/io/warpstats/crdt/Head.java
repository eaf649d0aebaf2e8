package io.warpstats.crdt;

import io.warpstats.multiformats.Cid;

/** A head of the replica's DAG: a block no other processed block links to, with its height (priority). */
public record Head(Cid cid, long height) {}
