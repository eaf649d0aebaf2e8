package io.warpstats.node.core;

import io.warpstats.crdt.store.KvStore;
import io.warpstats.crdt.store.KvStores;
import io.warpstats.p2p.Host;
import io.warpstats.p2p.HostOptions;
import io.warpstats.p2p.Multiaddr;
import io.warpstats.p2p.PeerId;
import io.warpstats.p2p.crypto.Identity;
import io.warpstats.p2p.crypto.PrivateKey;
import io.warpstats.p2p.host.Hosts;
import io.warpstats.replication.Replica;
import io.warpstats.replication.SyncParams;
import io.warpstats.replication.SyncServer;
import io.warpstats.replication.BlockSource;
import io.warpstats.replication.PeerPenalty;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A hostile node for tests: the real host, gossipsub, block sync and engine of a node
 * ({@link Replica} with the node's Ed25519 signer and verifier), with one misbehaviour added at the
 * edge ({@link Misbehaviour}). Started as a separate JVM on the test classpath:
 * <pre>
 * java -cp TEST_CLASSPATH io.warpstats.node.core.HostileNode --mode forge|corrupt|replay|deep|flood
 *      --data-dir DIR --dial MULTIADDR… [--victim PEER_ID]… [--seconds N] [--depth N] [--rate N]
 * </pre>
 * Protocol with the test: the first line on stdout is its multiaddr ({@code /p2p/…}); {@code ready}
 * follows when every {@code --dial} peer is connected and identified; the misbehaviour starts when
 * {@code go} is read from stdin; each mode prints {@code event …} lines and {@code done …} when it
 * has finished; end of stdin or {@code stop} exits. Exit code 2 on bad flags.
 */
public final class HostileNode {
    private HostileNode() {}

    /** What every misbehaviour works with: the real stack, the dialed peers (filled after {@link Misbehaviour#prepare}) and the flags. */
    record Stack(PrivateKey key, Host host, Replica replica, List<PeerId> peers, List<PeerId> victims, Map<String, String> flags,
                 PrintStream out) {
        PeerId self() { return host.peerId(); }

        long flag(String name, long dflt) { return flags.containsKey(name) ? Long.parseLong(flags.get(name)) : dflt; }

        /** Prints one line to the test (flushed). */
        void event(String line) {
            synchronized (out) {
                out.println(line);
                out.flush();
            }
        }

        /** Replaces the replica's sync server by one answering from {@code source}. */
        SyncServer serve(BlockSource source) {
            return SyncServer.register(host, source, SyncParams.defaults(), PeerPenalty.NONE);
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> flags = new TreeMap<>();
        List<Multiaddr> dial = new ArrayList<>();
        List<PeerId> victims = new ArrayList<>();
        try {
            for (int i = 0; i + 1 < args.length; i += 2) {
                switch (args[i]) {
                    case "--dial" -> dial.add(Multiaddr.parse(args[i + 1]));
                    case "--victim" -> victims.add(PeerId.parse(args[i + 1]));
                    case "--mode", "--data-dir", "--seconds", "--depth", "--rate" -> flags.put(args[i].substring(2), args[i + 1]);
                    default -> throw new IllegalArgumentException("unknown flag " + args[i]);
                }
            }
            if (args.length % 2 != 0 || !flags.containsKey("mode") || !flags.containsKey("data-dir")) {
                throw new IllegalArgumentException("--mode and --data-dir are required");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
        }
        Misbehaviour mode = Misbehaviour.of(flags.get("mode"));
        Path dir = Path.of(flags.get("data-dir"));
        PrivateKey key = Identity.loadOrCreate(dir);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        try (KvStore store = KvStores.rocksDb(dir.resolve("crdt"));
             Host host = Hosts.create(key, HostOptions.defaults());
             Replica replica = Replica.builder(host, store).rebroadcastInterval(Duration.ofSeconds(1))
                     // flushed only by its own flush(): what it writes goes out as one block (a timer flush of the first
                     // few keys would make a block small enough to ride in an announcement, past its sync server)
                     .engine(b -> b.flushDelay(Duration.ZERO).signer(Ed25519Deltas.signer(key)).verifier(Ed25519Deltas.verifier())
                             .authorizer((author, k) -> true) // its own engine accepts whatever it writes or receives
                             .acceptUnsigned(false))
                     .start()) {
            Multiaddr bound = host.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).get(10, TimeUnit.SECONDS);
            out.println(bound.withPeerId(host.peerId()));
            List<PeerId> peers = new java.util.concurrent.CopyOnWriteArrayList<>();
            Stack stack = new Stack(key, host, replica, peers, List.copyOf(victims), flags, out);
            mode.prepare(stack); // before any peer connects: no stream is ever served without the misbehaviour
            for (Multiaddr a : dial) {
                peers.add(host.dial(a).thenCompose(c -> c.identified().thenApply(i -> c.remotePeer())).get(30, TimeUnit.SECONDS));
            }
            stack.event("ready");
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null && !line.equals("stop"); line = in.readLine()) {
                if (line.equals("go")) {
                    Thread t = new Thread(() -> {
                        try {
                            mode.run(stack);
                        } catch (Exception e) {
                            stack.event("failed " + e);
                        }
                    }, "hostile-" + flags.get("mode"));
                    t.setDaemon(true);
                    t.start();
                }
            }
        }
        System.exit(0);
    }
}
