package io.warpstats.node.cli;

import io.warpstats.p2p.Connection;
import io.warpstats.p2p.ConnectionListener;
import io.warpstats.p2p.Host;
import io.warpstats.p2p.HostOptions;
import io.warpstats.p2p.Multiaddr;
import io.warpstats.p2p.crypto.PrivateKey;
import io.warpstats.p2p.echo.Echo;
import io.warpstats.p2p.host.Hosts;
import io.warpstats.p2p.ping.Ping;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code warpstats p2p …}: libp2p tools (ping a peer, run a bare host). */
@Command(name = "p2p", description = "libp2p tools.", subcommands = {P2pCommand.PingCommand.class, P2pCommand.ListenCommand.class})
public final class P2pCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code p2p ping MULTIADDR [--count N]}: exit 0 when every round trip succeeded, 1 on failure, 2 on bad input. */
    @Command(name = "ping", description = "Dial a peer and measure /ipfs/ping/1.0.0 round trips.")
    public static final class PingCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "MULTIADDR", description = "e.g. /ip4/127.0.0.1/tcp/4001/p2p/12D3KooW…")
        String address;

        @Option(names = "--count", defaultValue = "3", description = "Round trips (default ${DEFAULT-VALUE}).")
        int count;

        @Option(names = "--timeout", defaultValue = "10", description = "Seconds to wait for the peer (default ${DEFAULT-VALUE}).")
        int timeoutSeconds;

        @Override
        public Integer call() {
            Multiaddr target = HostMixin.multiaddr(address);
            if (count < 1 || count > 100_000) throw new BadInputException("--count must be between 1 and 100000");
            if (target.tcpAddress().isEmpty()) throw new BadInputException("not a TCP multiaddr: " + address);
            PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
            try (Host host = Hosts.create(PrivateKey.generate(), HostOptions.defaults().withIoThreads(1))) {
                Connection c;
                try {
                    c = host.dial(target).get(timeoutSeconds, TimeUnit.SECONDS);
                } catch (Exception e) {
                    err.println("error: cannot reach " + target + ": " + rootMessage(e));
                    return 1;
                }
                try {
                    var stream = c.newStream(List.of(Ping.PROTOCOL)).get(timeoutSeconds, TimeUnit.SECONDS);
                    for (int i = 1; i <= count; i++) {
                        Duration d = Ping.roundTrip(stream).get(timeoutSeconds, TimeUnit.SECONDS);
                        out.printf(Locale.ROOT, "pong from %s: seq=%d time=%.3f ms%n", c.remotePeer(), i, d.toNanos() / 1e6);
                        out.flush();
                    }
                    stream.close();
                } catch (Exception e) {
                    err.println("error: ping failed: " + rootMessage(e));
                    return 1;
                }
                return 0;
            }
        }
    }

    /** {@code p2p listen --data-dir DIR --listen MULTIADDR}: a bare host answering identify, ping and echo. */
    @Command(name = "listen", description = "Run a bare host (identify, ping, echo); prints its multiaddr first, runs until killed.")
    public static final class ListenCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        HostMixin hostOptions;

        @Override
        public Integer call() throws Exception {
            Multiaddr addr = hostOptions.listenAddress();
            PrivateKey key = hostOptions.identity();
            PrintWriter out = spec.commandLine().getOut();
            Host host = Hosts.create(key, HostOptions.defaults());
            host.setHandler(Echo.PROTOCOL, Echo.handler());
            Multiaddr bound;
            try {
                bound = host.listen(addr).get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                host.close();
                spec.commandLine().getErr().println("error: cannot listen on " + addr + ": " + rootMessage(e));
                return 1;
            }
            out.println(bound.withPeerId(host.peerId()));
            out.flush();
            host.addConnectionListener(new ConnectionListener() {
                @Override public void connected(Connection c) { print(out, "connected " + c.remotePeer() + " " + c.remoteAddress()); }
                @Override public void disconnected(Connection c) { print(out, "disconnected " + c.remotePeer()); }
            });
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                host.close();
                stop.countDown();
            }, "warpstats-shutdown"));
            stop.await();
            return 0;
        }

        private static void print(PrintWriter out, String line) {
            synchronized (out) {
                out.println(line);
                out.flush();
            }
        }
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
