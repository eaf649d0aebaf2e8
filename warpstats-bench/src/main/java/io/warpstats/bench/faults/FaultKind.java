package io.warpstats.bench.faults;

/** The faults the nemesis injects. */
public enum FaultKind {
    /** SIGKILL of the node process, then a restart on the same data directory and ports. */
    KILL,
    /** SIGSTOP, a hold time, then SIGCONT. */
    PAUSE,
    /** The nodes split in two sides that cannot reach each other while both keep taking writes; needs namespaces. */
    PARTITION,
    /** Stop, delete the stores (CRDT and local database) keeping the identity key, restart. */
    WIPE,
    /** The node's filesystem is full for a hold time, then space returns; needs root (a tmpfs per node). */
    DISK_FULL;

    /** The name used in the history and on the command line. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
