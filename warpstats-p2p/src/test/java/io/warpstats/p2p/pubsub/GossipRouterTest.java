package io.warpstats.p2p.pubsub;

import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.p2p.pubsub.RouterHarness.Remote;
import io.warpstats.p2p.pubsub.Rpc.ControlGraft;
import io.warpstats.p2p.pubsub.Rpc.ControlIDontWant;
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
        return joined(GossipParams.defaults(), PubSubProtocol.MESHSUB_V11, remotes);
    }

    private RouterHarness joined(GossipParams params, PubSubProtocol protocol, Remote... remotes) {
        RouterHarness h = new RouterHarness(params);
        h.router.subscribe(T);
        for (Remote r : remotes) {
            h.router.addPeer(r.id, protocol, true);
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

    private static Rpc idontwant(MessageId... ids) {
        return Rpc.ofControl(new ControlMessage(List.of(), List.of(), List.of(), List.of(),
                List.of(new ControlIDontWant(List.of(ids)))));
    }

    private static List<MessageId> idontwants(List<Rpc> rpcs) {
        return rpcs.stream().filter(r -> r.control() != null)
                .flatMap(r -> r.control().idontwant().stream()).flatMap(d -> d.messageIds().stream()).toList();
    }

    private static long forwards(List<Rpc> rpcs) { return rpcs.stream().filter(r -> !r.publish().isEmpty()).count(); }

    @Test
    void idontwantGoesToV12MeshPeersBeforeTheForwardAndOnlyForLargeMessages() {
        Remote b = new Remote(30);
        Remote c = new Remote(31);
        Remote d = new Remote(32);
        Remote author = new Remote(33);
        RouterHarness h = joined(GossipParams.defaults(), PubSubProtocol.MESHSUB_V12, b, c);
        h.router.addPeer(d.id, PubSubProtocol.MESHSUB_V11, true);
        h.router.onRpc(d.id, sub(T));
        h.router.onRpc(d.id, control(List.of(), List.of(new ControlGraft(T)), List.of()));
        assertThat(h.router.mesh(T)).contains(b.id, c.id, d.id);
        h.sent.clear();
        Message large = author.message(T, "x".repeat(GossipParams.defaults().idontwantMinBytes()));
        MessageId id = MessageSigner.messageId(large, GossipParams.defaults().messageIdScheme());
        h.router.onRpc(b.id, Rpc.ofMessages(List.of(large)));
        List<Rpc> toC = h.sentTo(c.id);
        assertThat(idontwants(toC)).containsExactly(id);
        assertThat(toC.get(0).control()).as("IDONTWANT first, then the forward").isNotNull();
        assertThat(forwards(toC)).isEqualTo(1);
        assertThat(idontwants(h.sentTo(b.id))).as("not to the source").isEmpty();
        assertThat(idontwants(h.sentTo(d.id))).as("not to a v1.1 peer").isEmpty();
        assertThat(forwards(h.sentTo(d.id))).isEqualTo(1);
        h.sent.clear();
        h.router.onRpc(b.id, Rpc.ofMessages(List.of(author.message(T, "x".repeat(GossipParams.defaults().idontwantMinBytes() - 1)))));
        assertThat(idontwants(h.sent.stream().map(RouterHarness.Sent::rpc).toList())).as("small message").isEmpty();
        assertThat(forwards(h.sentTo(c.id))).isEqualTo(1);
    }

    @Test
    void aPeerThatSaidIdontwantGetsNeitherTheForwardNorTheIWantAnswer() {
        Remote b = new Remote(34);
        Remote c = new Remote(35);
        Remote author = new Remote(36);
        RouterHarness h = joined(GossipParams.defaults(), PubSubProtocol.MESHSUB_V12, b, c);
        Message m = author.message(T, "payload");
        MessageId id = MessageSigner.messageId(m, GossipParams.defaults().messageIdScheme());
        h.router.onRpc(c.id, idontwant(id));
        h.sent.clear();
        h.router.onRpc(b.id, Rpc.ofMessages(List.of(m)));
        assertThat(h.delivered).hasSize(1);
        assertThat(forwards(h.sentTo(c.id))).isZero();
        assertThat(idontwants(h.sentTo(c.id))).as("c has it: no IDONTWANT to c either").isEmpty();
        h.router.onRpc(c.id, Rpc.ofControl(new ControlMessage(List.of(), List.of(new Rpc.ControlIWant(List.of(id))),
                List.of(), List.of())));
        assertThat(forwards(h.sentTo(c.id))).isZero();
        h.router.onRpc(b.id, Rpc.ofControl(new ControlMessage(List.of(), List.of(new Rpc.ControlIWant(List.of(id))),
                List.of(), List.of())));
        assertThat(forwards(h.sentTo(b.id))).as("b said nothing: served").isEqualTo(1);
    }

    @Test
    void idontwantIsHeededWithinThePerHeartbeatBudgetAndForgottenAfterTheCacheWindow() {
        GossipParams params = GossipParams.defaults().toBuilder().maxIdontwantPerHeartbeat(2).build();
        Remote b = new Remote(37);
        Remote c = new Remote(38);
        Remote author = new Remote(39);
        RouterHarness h = joined(params, PubSubProtocol.MESHSUB_V12, b, c);
        List<Message> msgs = List.of(author.message(T, "1"), author.message(T, "2"), author.message(T, "3"),
                author.message(T, "4"));
        List<MessageId> ids = msgs.stream().map(m -> MessageSigner.messageId(m, params.messageIdScheme())).toList();
        h.router.onRpc(c.id, idontwant(ids.get(0), ids.get(1), ids.get(2)));
        h.sent.clear();
        h.router.onRpc(b.id, Rpc.ofMessages(msgs.subList(0, 3)));
        assertThat(forwards(h.sentTo(c.id))).as("only the third id is beyond the budget").isEqualTo(1);
        h.heartbeat(1000);
        h.router.onRpc(c.id, idontwant(ids.get(3)));
        for (int i = 0; i < params.mcacheLength(); i++) h.heartbeat(1000);
        h.sent.clear();
        h.router.onRpc(b.id, Rpc.ofMessages(List.of(msgs.get(3))));
        assertThat(forwards(h.sentTo(c.id))).as("forgotten after mcacheLength heartbeats").isEqualTo(1);
    }

    @Test
    void aDelayedForwardSparesPeersWhoseIdontwantArrivedMeanwhile() {
        GossipParams params = GossipParams.defaults().toBuilder().forwardDelay(Duration.ofMillis(2)).build();
        Remote b = new Remote(40);
        Remote c = new Remote(41);
        Remote d = new Remote(42);
        Remote author = new Remote(43);
        RouterHarness h = joined(params, PubSubProtocol.MESHSUB_V12, b, c, d);
        Message m = author.message(T, "y".repeat(params.idontwantMinBytes()));
        MessageId id = MessageSigner.messageId(m, params.messageIdScheme());
        h.sent.clear();
        h.router.onRpc(b.id, Rpc.ofMessages(List.of(m)));
        assertThat(h.delivered).hasSize(1);
        assertThat(idontwants(h.sentTo(c.id))).containsExactly(id);
        assertThat(forwards(h.sentTo(c.id)) + forwards(h.sentTo(d.id))).as("nothing forwarded yet").isZero();
        h.router.onRpc(c.id, idontwant(id)); // c got it from someone else meanwhile
        h.advance(1);
        assertThat(forwards(h.sentTo(d.id))).isZero();
        h.advance(1);
        assertThat(forwards(h.sentTo(c.id))).as("c said IDONTWANT in time").isZero();
        assertThat(forwards(h.sentTo(d.id))).isEqualTo(1);
        h.sent.clear();
        h.router.onRpc(b.id, Rpc.ofMessages(List.of(author.message(T, "small"))));
        assertThat(forwards(h.sentTo(d.id))).as("no IDONTWANT sent: forwarded at once").isEqualTo(1);
    }
}
