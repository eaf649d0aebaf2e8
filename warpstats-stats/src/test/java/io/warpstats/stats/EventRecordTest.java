package io.warpstats.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * The event record names the CRDT keys of its write, which the mirror spills to the outbox after a crash: every
 * action written by the service maps to its member (or view slot) and activity key; anything else read from the
 * local database (an import, a damaged or foreign record) maps to no key and never throws.
 */
class EventRecordTest {
    static final String NODE = "nodeA";
    static final String INC = "00112233aabbccdd";

    static List<String> keys(byte[] record) {
        return EventRecord.crdtKeys(record, NODE, INC);
    }

    @Test
    void eachActionNamesItsMemberOrSlotAndTheActivityKey() {
        String activity = StatsKeys.activity("p1", NODE);
        assertThat(keys(EventRecord.of(5, "like", "p1", "u1", ""))).containsExactly(StatsKeys.liker("p1", "u1"), activity);
        assertThat(keys(EventRecord.of(5, "unlike", "p1", "u1", ""))).containsExactly(StatsKeys.liker("p1", "u1"), activity);
        assertThat(keys(EventRecord.of(5, "retweet", "p1", "u1", ""))).containsExactly(StatsKeys.retweeter("p1", "u1"), activity);
        assertThat(keys(EventRecord.of(5, "unretweet", "p1", "u1", ""))).containsExactly(StatsKeys.retweeter("p1", "u1"), activity);
        assertThat(keys(EventRecord.of(5, "reply", "p1", "u1", "r9"))).containsExactly(StatsKeys.reply("p1", "r9"), activity);
        assertThat(keys(EventRecord.of(5, "deletereply", "p1", "", "r9"))).containsExactly(StatsKeys.reply("p1", "r9"), activity);
        assertThat(keys(EventRecord.of(5, "view", "p1", "", ""))).containsExactly(
                new SlotKey(true, Stat.VIEWS, "p1", NODE, INC).key(), activity);
    }

    @Test
    void anImportAndDamagedRecordsNameNoKey() {
        assertThat(keys(EventRecord.ofImport(5, 3))).isEmpty();
        assertThat(keys(EventRecord.of(5, "like", "p1", "", ""))).as("no user").isEmpty();
        assertThat(keys(EventRecord.of(5, "like", "../x", "u1", ""))).as("an invalid post id").isEmpty();
        assertThat(keys(EventRecord.of(5, "reply", "p1", "u1", ""))).as("no reply id").isEmpty();
        assertThat(keys(EventRecord.of(5, "launch", "p1", "u1", ""))).as("an unknown action").isEmpty();
        assertThat(keys("5\tlike\tp1\tu1".getBytes(StandardCharsets.UTF_8))).as("four fields").isEmpty();
        assertThat(keys("5\tlike\tp1\tu1\t\textra".getBytes(StandardCharsets.UTF_8))).as("six fields").isEmpty();
        assertThat(keys(new byte[0])).isEmpty();
    }

    @Property(tries = 500)
    void anyBytesMapToNoKeyOrToValidKeysAndNeverThrow(@ForAll byte[] record) {
        for (String k : keys(record)) {
            assertThat(k).startsWith("/");
        }
    }
}
