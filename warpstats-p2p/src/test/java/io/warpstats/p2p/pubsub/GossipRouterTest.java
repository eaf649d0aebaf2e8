package io.warpstats.p2p.pubsub;

import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.p2p.pubsub.RouterHarness.Remote;
import io.warpstats.p2p.pubsub.Rpc.ControlGraft;
import io.warpstats.p2p.pubsub.Rpc.ControlIHave;
import io.warpstats.p2p.pubsub.Rpc.ControlMessage;
import io.warpstats.p2p.pubsub.Rpc.ControlPrune;
import io.warpstats.p2p.pubsub.Rpc.Message;
import io.warpstats.p2p.pubsub.Rpc.SubOpts;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Protocol rules of one router, driven by hand-made RPCs from fake peers. */
class GossipRouterTest {
    private static final String T = "t";

    private static Rpc sub(String topic) { return Rpc.ofSubscriptions(List.of(new SubOpts(true, topic))); }

    private static Rpc control(List<ControlIHave> ihave, List<ControlGraft> graft, List<ControlPrune> prune) {
        return Rpc.ofControl(new ControlMessage(ihave, List.of(), graft, prune));
    }

    private static boolean hasGraft(List<Rpc> rpcs) {
        return rpcs.stream().anyMatch(r -> r.control() != null && !r.control().graft().isEmpty());
    }

    private static List<ControlPrune> prunes(List<Rpc> rpcs) {
        return rpcs.stream().filter(r -> r.control() != null).flatMap(r -> r.control().prune().stream()).toList();
    }

    private RouterHarness joined(Remote... remotes) {
        RouterHarness h = new RouterHarness(GossipParams.defaults());
        h.router.subscribe(T);
        for (Remote r : remotes) {
            h.router.addPeer(r.id, PubSubProtocol.MESHSUB_V11, true);
            h.router.onRpc(r.id, sub(T));
        }
        h.heartbeat(1000);
        return h;
    }

    @Test
    void pruneAppliesBackoffBeforeRegrafting() {
        Remote b = new Remote(1);
        RouterHarness h = joined(b);
        assertThat(h.router.mesh(T)).contains(b.id);
        h.router.onRpc(b.id, control(List.of(), List.of(), List.of(new ControlPrune(T, List.of(), 5L))));
        assertThat(h.router.mesh(T)).isEmpty();
        h.sent.clear();
        for (int i = 0; i < 4; i++) h.heartbeat(1000);
        assertThat(hasGraft(h.sentTo(b.id))).as("no GRAFT during backoff").isFalse();
        h.heartbeat(2500);
        assertThat(hasGraft(h.sentTo(b.id))).as("GRAFT after backoff").isTrue();
        assertThat(h.router.mesh(T)).contains(b.id);
    }

    @Test
    void graftDuringBackoffIsRefusedAndPenalized() {
        Remote b = new Remote(2);
        RouterHarness h = joined(b);
        h.router.onRpc(b.id, control(List.of(), List.of(), List.of(new ControlPrune(T, List.of(), 60L))));
        h.sent.clear();
        h.router.onRpc(b.id, control(List.of(), List.of(new ControlGraft(T)), List.of()));
        assertThat(h.router.mesh(T)).doesNotContain(b.id);
        List<ControlPrune> p = prunes(h.sentTo(b.id));
        assertThat(p).hasSize(1);
        assertThat(p.get(0).backoff()).isEqualTo(60L);
        assertThat(h.router.score(b.id)).isNegative();
    }

    @Test
    void meshsub10PeersGetPrunesWithoutBackoff() {
        Remote b = new Remote(3);
        RouterHarness h = new RouterHarness(GossipParams.defaults());
        h.router.subscribe(T);
        h.router.addPeer(b.id, PubSubProtocol.MESHSUB_V10, false);
        h.router.onRpc(b.id, sub(T));
        h.router.onRpc(b.id, control(List.of(), List.of(new ControlGraft(T)), List.of()));
        h.router.unsubscribe(T);
        List<ControlPrune> p = prunes(h.sentTo(b.id));
        assertThat(p).hasSize(1);
        assertThat(p.get(0).backoff()).isNull();
    }

    @Test
    void meshAboveDhiIsPrunedToD() {
        RouterHarness h = new RouterHarness(GossipParams.defaults());
        h.router.subscribe(T);
        for (int i = 0; i < 16; i++) {
            Remote r = new Remote(100 + i);
            h.router.addPeer(r.id, PubSubProtocol.MESHSUB_V11, i % 2 == 0);
            h.router.onRpc(r.id, sub(T));
            h.router.onRpc(r.id, control(List.of(), List.of(new ControlGraft(T)), List.of()));
        }
        assertThat(h.router.mesh(T)).hasSizeGreaterThan(12);
        h.heartbeat(1000);
        assertThat(h.router.mesh(T)).hasSize(6);
        assertThat(h.router.mesh(T).stream().filter(p -> h.sentTo(p).stream().noneMatch(r -> r.control() != null
                && !r.control().prune().isEmpty()))).hasSize(6);
    }

    @Test
    void invalidSignaturesAreRejectedPenalizedAndLeadToGraylisting() {
        Remote b = new Remote(4);
        Remote author = new Remote(5);
        RouterHarness h = joined(b);
        for (int i = 0; i < 3; i++) {
            Message good = author.message(T, "payload " + i);
            Message forged = new Message(good.from(), "evil".getBytes(), good.seqno(), T, good.signature(), null);
            h.router.onRpc(b.id, Rpc.ofMessages(List.of(forged)));
        }
        assertThat(h.delivered).isEmpty();
        assertThat(h.router.score(b.id)).isLessThan(GossipParams.defaults().score().graylistThreshold());
        // graylisted: even a valid message from b is ignored now
        h.router.onRpc(b.id, Rpc.ofMessages(List.of(author.message(T, "valid"))));
        assertThat(h.delivered).isEmpty();
        h.heartbeat(1000);
        assertThat(h.router.mesh(T)).doesNotContain(b.id);
    }

    @Test
    void forgedMessageDoesNotPoisonTheSeenCache() {
        Remote b = new Remote(6);
        Remote c = new Remote(7);
        Remote author = new Remote(8);
        RouterHarness h = joined(b, c);
        Message good = author.message(T, "real");
        h.router.onRpc(b.id, Rpc.ofMessages(List.of(new Message(good.from(), "fake".getBytes(), good.seqno(), T,
                good.signature(), null))));
        h.router.onRpc(c.id, Rpc.ofMessages(List.of(good)));
        assertThat(h.delivered).extracting(m -> new String(m.data())).containsExactly("real");
    }

    @Test
    void validatorVerdictsDecideDeliveryForwardingAndPenalty() {
        Remote b = new Remote(9);
        Remote c = new Remote(10);
        Remote author = new Remote(11);
        RouterHarness h = joined(b, c);
        h.router.addValidator(T, m -> switch (new String(m.data())) {
            case "bad" -> ValidationResult.REJECT;
            case "meh" -> ValidationResult.IGNORE;
            default -> ValidationResult.ACCEPT;
        });
        h.sent.clear();
        h.router.onRpc(b.id, Rpc.ofMessages(List.of(author.message(T, "meh"))));
        assertThat(h.router.score(b.id)).isGreaterThanOrEqualTo(0);
        h.router.onRpc(b.id, Rpc.ofMessages(List.of(author.message(T, "bad"))));
        assertThat(h.router.score(b.id)).isNegative();
        assertThat(h.sentTo(c.id)).noneMatch(r -> !r.publish().isEmpty());
        h.router.onRpc(b.id, Rpc.ofMessages(List.of(author.message(T, "good"))));
        assertThat(h.delivered).extracting(m -> new String(m.data())).containsExactly("good");
        assertThat(h.sentTo(c.id)).anyMatch(r -> !r.publish().isEmpty());
    }

    @Test
    void brokenIWantPromisesArePenalized() {
        Remote b = new Remote(12);
        RouterHarness h = joined(b);
        for (int i = 0; i < 3; i++) {
            MessageId id = MessageId.of(new byte[] {1, 2, 3, (byte) i});
            h.router.onRpc(b.id, control(List.of(new ControlIHave(T, List.of(id))), List.of(), List.of()));
            assertThat(h.sentTo(b.id)).anyMatch(r -> r.control() != null && !r.control().iwant().isEmpty());
            h.heartbeat(4000);
        }
        h.heartbeat(4000);
        assertThat(h.router.score(b.id)).isLessThan(-10);
    }

    @Test
    void ihaveIsAnsweredOnlyWithinLimits() {
        Remote b = new Remote(13);
        RouterHarness h = joined(b);
        h.sent.clear();
        for (int i = 0; i < 15; i++) {
            h.router.onRpc(b.id, control(List.of(new ControlIHave(T, List.of(MessageId.of(new byte[] {9, (byte) i})))),
                    List.of(), List.of()));
        }
        long iwants = h.sentTo(b.id).stream().filter(r -> r.control() != null && !r.control().iwant().isEmpty()).count();
        assertThat(iwants).isEqualTo(GossipParams.defaults().maxIHaveMessages());
    }

    @Test
    void iwantIsServedFromTheCacheAtMostRetransmissionTimes() {
        Remote b = new Remote(14);
        RouterHarness h = joined(b);
        MessageId id = h.router.publish(T, "hello".getBytes()).id();
        h.sent.clear();
        for (int i = 0; i < 5; i++) {
            h.router.onRpc(b.id, Rpc.ofControl(new ControlMessage(List.of(), List.of(new Rpc.ControlIWant(List.of(id))),
                    List.of(), List.of())));
        }
        assertThat(h.sentTo(b.id).stream().filter(r -> !r.publish().isEmpty())).hasSize(3);
    }

    @Test
    void floodsubPeersGetMessagesButNoControl() {
        Remote f = new Remote(15);
        Remote author = new Remote(16);
        Remote g = new Remote(17);
        RouterHarness h = joined(g);
        h.router.addPeer(f.id, PubSubProtocol.FLOODSUB, false);
        h.router.onRpc(f.id, sub(T));
        h.router.onRpc(g.id, Rpc.ofMessages(List.of(author.message(T, "x"))));
        for (int i = 0; i < 3; i++) h.heartbeat(1000);
        assertThat(h.sentTo(f.id)).anyMatch(r -> !r.publish().isEmpty());
        assertThat(h.sentTo(f.id)).allMatch(r -> r.control() == null);
        assertThat(h.router.mesh(T)).doesNotContain(f.id);
    }

    @Test
    void fanoutIsUsedWithoutFloodPublishAndExpires() {
        RouterHarness h = new RouterHarness(GossipParams.defaults().withFloodPublish(false));
        for (int i = 0; i < 10; i++) {
            Remote r = new Remote(200 + i);
            h.router.addPeer(r.id, PubSubProtocol.MESHSUB_V11, true);
            h.router.onRpc(r.id, sub(T));
        }
        PublishResult res = h.router.publish(T, "to fanout".getBytes());
        assertThat(res.recipients()).hasSize(6);
        PublishResult again = h.router.publish(T, "again".getBytes());
        assertThat(again.recipients()).containsExactlyInAnyOrderElementsOf(res.recipients());
        h.heartbeat(61_000);
        h.heartbeat(1_000);
        h.sent.clear();
        h.router.subscribe(T);
        assertThat(h.router.mesh(T)).hasSize(6);
    }

    @Test
    void meshDeliveryDeficitPrunesSilentPeers() {
        ScoreParams sp = ScoreParams.defaults().withMeshDeliveries(-5, 2, Duration.ofSeconds(5));
        RouterHarness h = new RouterHarness(GossipParams.defaults().withScore(sp));
        Remote silent = new Remote(18);
        Remote busy = new Remote(19);
        Remote author = new Remote(20);
        h.router.subscribe(T);
        for (Remote r : List.of(silent, busy)) {
            h.router.addPeer(r.id, PubSubProtocol.MESHSUB_V11, true);
            h.router.onRpc(r.id, sub(T));
        }
        h.heartbeat(1000);
        assertThat(h.router.mesh(T)).contains(silent.id, busy.id);
        for (int s = 0; s < 8; s++) {
            h.router.onRpc(busy.id, Rpc.ofMessages(List.of(author.message(T, "m" + s))));
            h.heartbeat(1000);
        }
        assertThat(h.router.score(busy.id)).isPositive();
        assertThat(h.router.mesh(T)).contains(busy.id).doesNotContain(silent.id);
        assertThat(h.router.score(silent.id)).as("P3b sticks after prune").isNegative();
    }

    @Test
    void unknownPeersAndOwnEchoesAreIgnored() {
        Remote stranger = new Remote(21);
        RouterHarness h = joined();
        h.router.onRpc(stranger.id, Rpc.ofMessages(List.of(stranger.message(T, "x"))));
        Remote b = new Remote(22);
        h.router.addPeer(b.id, PubSubProtocol.MESHSUB_V11, true);
        h.router.onRpc(b.id, sub(T));
        PublishResult r = h.router.publish(T, "mine".getBytes());
        Message own = MessageSigner.sign(h.key, h.id, T, "mine2".getBytes(), 42);
        h.router.onRpc(b.id, Rpc.ofMessages(List.of(own)));
        assertThat(h.delivered).isEmpty();
        assertThat(r.recipients()).containsExactly(b.id);
    }
}
