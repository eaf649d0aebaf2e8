package io.warpstats.node.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.warpstats.p2p.Host;
import io.warpstats.p2p.HostOptions;
import io.warpstats.p2p.Multiaddr;
import io.warpstats.p2p.crypto.PrivateKey;
import io.warpstats.p2p.host.Hosts;
import io.warpstats.p2p.pubsub.PubSub;
import io.warpstats.p2p.pubsub.PubSubEvent;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code p2p pubsub}: joins a gossipsub topic, publishes the given texts once a subscribed peer
 * is known, and prints one JSON line per event on stdout: {@code listening} first (peer id and
 * full multiaddrs), then {@code published} and {@code message}
 * ({@code {"event":"message","topic":…,"from":PEERID,"data":TEXT}}).
 */
@Command(name = "pubsub", mixinStandardHelpOptions = true,
        description = "Join a gossipsub topic, publish texts, print received messages as JSON lines.")
public final class PubsubCommand implements java.util.concurrent.Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Mixin
    HostMixin hostOptions;

    @Option(names = "--dial", description = "Multiaddr (with /p2p/ID) of a peer to connect to; repeatable.")
    List<String> dial = new ArrayList<>();

    @Option(names = "--topic", required = true, description = "The topic to join.")
    String topic;

    @Option(names = "--publish", description = "A text to publish once a subscribed peer is known; repeatable.")
    List<String> publish = new ArrayList<>();

    @Option(names = "--exit-after", defaultValue = "0", description = "Seconds before exiting (0: run until interrupted).")
    long exitAfter;

    @Override
    public Integer call() throws Exception {
        Multiaddr listenAddr = hostOptions.listenAddress();
        List<Multiaddr> dials = new ArrayList<>();
        for (String d : dial) dials.add(HostMixin.multiaddr(d));
        if (exitAfter < 0) throw new BadInputException("--exit-after must be >= 0");
        PrintWriter out = spec.commandLine().getOut();
        PrivateKey key = hostOptions.identity();
        CountDownLatch stop = new CountDownLatch(1);
        try (Host host = Hosts.create(key, HostOptions.defaults()); PubSub pubsub = PubSub.create(host)) {
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            Multiaddr bound = host.listen(listenAddr).get(15, TimeUnit.SECONDS);
            ObjectNode hello = JSON.createObjectNode().put("event", "listening").put("peerId", host.peerId().toString());
            hello.putArray("multiaddrs").add(bound.withPeerId(host.peerId()).toString());
            hello.put("topic", topic);
            print(out, hello);
            AtomicBoolean published = new AtomicBoolean(publish.isEmpty());
            pubsub.addEventListener(e -> {
                if (e instanceof PubSubEvent.Subscribed s && s.topic().equals(topic) && published.compareAndSet(false, true)) {
                    for (String text : publish) {
                        pubsub.publish(topic, text.getBytes(StandardCharsets.UTF_8)).whenComplete((r, err) -> print(out,
                                err != null ? JSON.createObjectNode().put("event", "publish-failed").put("error", err.toString())
                                        : JSON.createObjectNode().put("event", "published").put("topic", topic).put("data", text)
                                                .put("recipients", r.recipients().size())));
                    }
                }
            });
            pubsub.subscribe(topic, m -> print(out, JSON.createObjectNode().put("event", "message").put("topic", m.topic())
                    .put("from", m.from().toString()).put("data", new String(m.data(), StandardCharsets.UTF_8))));
            for (Multiaddr d : dials) {
                host.dial(d).whenComplete((c, err) -> print(out, err != null
                        ? JSON.createObjectNode().put("event", "dial-failed").put("addr", d.toString()).put("error", err.toString())
                        : JSON.createObjectNode().put("event", "dialed").put("peer", c.remotePeer().toString())));
            }
            if (exitAfter > 0) stop.await(exitAfter, TimeUnit.SECONDS);
            else stop.await();
        }
        return 0;
    }

    private static void print(PrintWriter out, ObjectNode node) {
        synchronized (out) {
            out.println(node.toString());
            out.flush();
        }
    }
}
