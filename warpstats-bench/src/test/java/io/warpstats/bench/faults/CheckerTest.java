package io.warpstats.bench.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.bench.faults.Checker.Reading;
import io.warpstats.bench.faults.Op.Kind;
import io.warpstats.bench.faults.Op.Outcome;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The checker on hand-made histories: it accepts what the history allows and catches loss, double counts and disagreement. */
class CheckerTest {
    private final List<Op> ops = new ArrayList<>();

    private void op(Kind kind, String user, Outcome outcome, int incarnation) {
        int status = outcome == Outcome.OK ? 200 : outcome == Outcome.FAIL ? 409 : 0;
        long t = ops.size();
        ops.add(new Op(t, 0, 0, incarnation, kind, "p", user, kind == Kind.REPLY || kind == Kind.DELETE_REPLY ? "r" + t : null,
                outcome, status, null, t, t));
    }

    private List<String> check(Reading r, Set<String> likers) {
        return Checker.check(ops, List.of("p"), List.of(Map.of("p", r), Map.of("p", r)),
                List.of(Map.of("p", likers), Map.of("p", likers)));
    }

    @Test
    void viewsMayIncludeIndeterminateOnesButNotLoseAcknowledgedOnes() {
        op(Kind.VIEW, "a", Outcome.OK, 0);
        op(Kind.VIEW, "a", Outcome.OK, 0);
        op(Kind.VIEW, "a", Outcome.INDETERMINATE, 0);
        op(Kind.VIEW, "a", Outcome.FAIL, 0);
        assertThat(Checker.bounds(ops).get("p").get("views")).isEqualTo(new Checker.Bounds(2, 3));
        assertThat(check(new Reading(0, 0, 0, 2, "crdt"), Set.of())).isEmpty();
        assertThat(check(new Reading(0, 0, 0, 3, "crdt"), Set.of())).isEmpty();
        assertThat(check(new Reading(0, 0, 0, 1, "crdt"), Set.of())).anyMatch(e -> e.contains("lost"));
        assertThat(check(new Reading(0, 0, 0, 4, "crdt"), Set.of())).anyMatch(e -> e.contains("counted twice"));
    }

    @Test
    void likesFollowTheLastOperationOfEachUser() {
        op(Kind.LIKE, "a", Outcome.OK, 0);
        op(Kind.LIKE, "a", Outcome.FAIL, 0);       // 409: already liked
        op(Kind.LIKE, "b", Outcome.OK, 0);
        op(Kind.UNLIKE, "b", Outcome.OK, 0);
        op(Kind.LIKE, "c", Outcome.INDETERMINATE, 0);
        assertThat(Checker.bounds(ops).get("p").get("likes")).isEqualTo(new Checker.Bounds(1, 2));
        assertThat(check(new Reading(1, 0, 0, 0, "crdt"), Set.of("a"))).isEmpty();
        assertThat(check(new Reading(2, 0, 0, 0, "crdt"), Set.of("a", "c"))).isEmpty();
        assertThat(check(new Reading(1, 0, 0, 0, "crdt"), Set.of("a", "b"))).anyMatch(e -> e.contains("b listed as a liker"));
        assertThat(check(new Reading(0, 0, 0, 0, "crdt"), Set.of())).anyMatch(e -> e.contains("acknowledged liker a missing"));
        assertThat(check(new Reading(2, 0, 0, 0, "crdt"), Set.of("a"))).anyMatch(e -> e.contains("but 1 likers"));
    }

    @Test
    void afterAWipeAnEarlierLikeMaySurviveAnUnlike() {
        op(Kind.LIKE, "a", Outcome.OK, 0);
        op(Kind.LIKE, "a", Outcome.OK, 1);          // the wiped node forgot the like and takes it again
        op(Kind.UNLIKE, "a", Outcome.OK, 1);
        assertThat(Checker.bounds(ops).get("p").get("likes")).isEqualTo(new Checker.Bounds(0, 1));
        assertThat(check(new Reading(1, 0, 0, 0, "crdt"), Set.of("a"))).isEmpty();
        assertThat(check(new Reading(0, 0, 0, 0, "crdt"), Set.of())).isEmpty();
        assertThat(check(new Reading(1, 0, 0, 0, "crdt"), Set.of())).anyMatch(e -> e.contains("but 0 likers"));
    }

    @Test
    void aUserWhoseLikeWasTakenTwiceIsOneLikerAndOneLike() {
        op(Kind.LIKE, "a", Outcome.OK, 0);
        op(Kind.LIKE, "a", Outcome.OK, 1);          // the wiped node had not synced the like again: a second element
        op(Kind.LIKE, "b", Outcome.OK, 0);
        assertThat(Checker.bounds(ops).get("p").get("likes")).isEqualTo(new Checker.Bounds(2, 2));
        assertThat(check(new Reading(2, 0, 0, 0, "crdt"), Set.of("a", "b"))).isEmpty();
        assertThat(check(new Reading(3, 0, 0, 0, "crdt"), Set.of("a", "b"))).anyMatch(e -> e.contains("counted twice"));
    }

    @Test
    void retweetsAreBoundedByTheRetweetersSet() {
        op(Kind.RETWEET, "a", Outcome.OK, 0);
        op(Kind.RETWEET, "a", Outcome.OK, 1);       // after a wipe: the same user, one member
        op(Kind.RETWEET, "b", Outcome.OK, 0);
        op(Kind.UNRETWEET, "b", Outcome.OK, 0);
        op(Kind.RETWEET, "c", Outcome.INDETERMINATE, 0);
        op(Kind.RETWEET, "d", Outcome.FAIL, 0);
        assertThat(Checker.bounds(ops).get("p").get("retweets")).isEqualTo(new Checker.Bounds(1, 2));
        assertThat(check(new Reading(0, 1, 0, 0, "crdt"), Set.of())).isEmpty();
        assertThat(check(new Reading(0, 2, 0, 0, "crdt"), Set.of())).isEmpty();
        assertThat(check(new Reading(0, 0, 0, 0, "crdt"), Set.of())).anyMatch(e -> e.contains("retweets = 0 < 1"));
        assertThat(check(new Reading(0, 3, 0, 0, "crdt"), Set.of())).anyMatch(e -> e.contains("retweets = 3 > 2"));
    }

    @Test
    void repliesAndDeletesBoundTheReplyCount() {
        op(Kind.REPLY, "a", Outcome.OK, 0);
        op(Kind.REPLY, "a", Outcome.OK, 0);
        op(Kind.DELETE_REPLY, null, Outcome.INDETERMINATE, 0);
        op(Kind.REPLY, "a", Outcome.INDETERMINATE, 0);
        assertThat(Checker.bounds(ops).get("p").get("replies")).isEqualTo(new Checker.Bounds(1, 3));
    }

    @Test
    void nodesMustAgreeAndReadFromTheCrdt() {
        op(Kind.VIEW, "a", Outcome.INDETERMINATE, 0);
        List<String> errors = Checker.check(ops, List.of("p"),
                List.of(Map.of("p", new Reading(0, 0, 0, 0, "crdt")), Map.of("p", new Reading(0, 0, 0, 1, "local"))), null);
        assertThat(errors).anyMatch(e -> e.contains("disagree")).anyMatch(e -> e.contains("source local"));
    }

    @Test
    void theScheduleIsAFunctionOfTheSeed() {
        Set<FaultKind> kinds = Set.of(FaultKind.values());
        Iterator<Nemesis.Planned> a = Nemesis.schedule(7, kinds, 5, 2, 1);
        Iterator<Nemesis.Planned> b = Nemesis.schedule(7, kinds, 5, 2, 1);
        Iterator<Nemesis.Planned> c = Nemesis.schedule(8, kinds, 5, 2, 1);
        Iterator<Nemesis.Planned> scaled = Nemesis.schedule(7, kinds, 5, 2, 0.4);
        List<Nemesis.Planned> first = new ArrayList<>();
        boolean differs = false;
        for (int i = 0; i < 45; i++) { // five cycles of 2 + 2 + 2 + 2 + 1
            Nemesis.Planned x = a.next();
            first.add(x);
            assertThat(b.next()).isEqualTo(x);
            Nemesis.Planned y = scaled.next(); // the same faults, shorter holds and gaps
            assertThat(y).isEqualTo(new Nemesis.Planned(x.seq(), x.kind(), x.target(), x.side(), Math.round(x.holdMs() * 0.4),
                    Math.round(x.gapMs() * 0.4), x.restart()));
            differs |= !c.next().equals(x);
        }
        assertThat(differs).isTrue();
        for (FaultKind k : FaultKind.values()) assertThat(first).filteredOn(p -> p.kind() == k).hasSize(5 * Nemesis.weight(k, 2));
        assertThat(first).filteredOn(p -> p.kind() == FaultKind.PARTITION)
                .allMatch(p -> !p.side().isEmpty() && p.side().size() < 5);
    }
}
