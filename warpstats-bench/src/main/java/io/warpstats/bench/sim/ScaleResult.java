package io.warpstats.bench.sim;

/**
 * The figures of one run of the scale simulation. "Received" counts every gossipsub RPC (with its length
 * prefix) and every sync frame a node took in, requests it served and answers it got; the bytes a node sent
 * are the bytes others received, so they are not added again. Per-put figures divide by the workload's puts.
 *
 * @param params               the configuration
 * @param messagesPerPutNode   messages received per put per writing node (gossip + sync)
 * @param bytesPerPutNode      bytes received per put per writing node (gossip + sync)
 * @param gossipBytesPerPutNode the gossipsub share of {@code bytesPerPutNode}
 * @param syncBytesPerPutNode  the sync share of {@code bytesPerPutNode}
 * @param convergeMs           virtual ms from the last put until every follower of every shard held the same heads
 *                             with nothing pending (checked every {@link ScaleSim#CHECK_MS} ms)
 * @param storedBytesPerNode   key and value bytes in a writing node's stores, mean over writing nodes
 * @param receivedBytesPerNode bytes received by a writing node over the run, mean
 * @param observerStoredBytes  the same for an observer (following every shard), mean; 0 without observers
 * @param observerReceivedBytes bytes received by an observer over the run, mean; 0 without observers
 * @param heapBytesPerNode     heap used after a full GC at the end, divided by all nodes (routers, engines, stores and the
 *                             simulation's own bookkeeping)
 * @param announcements        announcements of heads published by all engines (a flush's, coalesced per
 *                             {@code PubSubBroadcaster.DEFAULT_MIN_PUBLISH_GAP}, or a rebroadcast's)
 * @param blocks               blocks written by all nodes
 * @param wallMs               wall-clock time of the run
 */
record ScaleResult(ScaleParams params, double messagesPerPutNode, double bytesPerPutNode, double gossipBytesPerPutNode,
                   double syncBytesPerPutNode, long convergeMs, long storedBytesPerNode, long receivedBytesPerNode,
                   long observerStoredBytes, long observerReceivedBytes, long heapBytesPerNode, long announcements, long blocks,
                   long wallMs) {
    /** Puts per announcement: above 1 when a node's flushes coalesce within the publish gap. */
    double putsPerAnnouncement() {
        return announcements == 0 ? 0 : (double) params.puts() / announcements;
    }
}
