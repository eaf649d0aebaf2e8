package io.warpstats.replication;

/**
 * Counters of a sync client or server since it was created.
 *
 * @param requests    requests sent (client) or answered (server): the round trips
 * @param blocks      blocks received and verified (client) or sent (server)
 * @param blockBytes  raw bytes of those blocks
 * @param wireBytes   bytes of BLOCKS frames on the wire (after compression)
 * @param penalties   offenses reported (client: by the server it asked; server: by askers)
 * @param failures    fetches that failed with every peer (client) or answers aborted (server)
 * @param bannedPeers peers the client does not ask now, their ban running (current value; 0 for a server)
 */
public record SyncMetrics(long requests, long blocks, long blockBytes, long wireBytes, long penalties, long failures, int bannedPeers) {}
