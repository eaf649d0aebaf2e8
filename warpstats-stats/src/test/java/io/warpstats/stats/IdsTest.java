package io.warpstats.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IdsTest {
    @Test
    void acceptsTheAllowedAlphabet() {
        assertThat(Ids.require("post id", "Post-1_a.b:c@d")).isEqualTo("Post-1_a.b:c@d");
        assertThat(Ids.require("post id", "x".repeat(128))).hasSize(128);
    }

    @Test
    void rejectsEverythingThatCouldReachAnotherKey() {
        for (String bad : new String[] {"", "a/b", "..", "a..b", ".", "a\u0000b", "a\nb", "a b", "é", "x".repeat(129),
                "a%2Fb", "\u202e"}) {
            assertThatThrownBy(() -> Ids.require("post id", bad)).as(bad).isInstanceOf(InvalidIdException.class)
                    .hasMessageStartingWith("post id");
        }
        assertThatThrownBy(() -> Ids.require("user id", null)).isInstanceOf(InvalidIdException.class)
                .hasMessage("user id is missing or empty");
        assertThatThrownBy(() -> Ids.require("post id", "a/b")).hasMessageContaining("'/'").hasMessageContaining("position 2");
        assertThatThrownBy(() -> Ids.require("post id", "x".repeat(129))).hasMessageContaining("limit is 128");
    }

    @Test
    void slotKeysRoundTripAndTheWriteRuleKeepsSlotsToTheirNode() {
        SlotKey slot = new SlotKey(true, Stat.LIKES, "p1", "12D3KooWnode", "00ff");
        assertThat(slot.key()).isEqualTo("/incr/likes/p1/12D3KooWnode/00ff");
        assertThat(SlotKey.parse(slot.key())).contains(slot);
        assertThat(SlotKey.parse("/decr/views/p1/n/i")).isEmpty(); // views only grow
        assertThat(SlotKey.parse("/incr/likes/p1/n/i/extra")).isEmpty();
        assertThat(SlotKey.parse("/incr/likes/../n/i")).isEmpty();
        assertThat(StatsKeys.mayWrite("12D3KooWnode", slot.key())).isTrue();
        assertThat(StatsKeys.mayWrite("12D3KooWother", slot.key())).isFalse();
        assertThat(StatsKeys.mayWrite("anyone", "/likers/p1/u1")).isTrue();
        assertThat(StatsKeys.mayWrite("anyone", "/retweeters/p1/u1")).isTrue();
        assertThat(StatsKeys.mayWrite("anyone", "/activity/p1")).isTrue();
        assertThat(StatsKeys.mayWrite("anyone", "/likers/p1/u1/x")).isFalse();
        assertThat(StatsKeys.mayWrite("anyone", "/other/key")).isFalse();
    }
}
