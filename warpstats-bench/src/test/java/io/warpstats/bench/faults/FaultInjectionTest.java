package io.warpstats.bench.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/**
 * The CI form of the fault-injection harness: 3 node processes, at least 20 faults of every kind this
 * machine allows (kill, pause and wipe everywhere; partitions and full disks where the run is root),
 * hold times and gaps at {@link Scenario#CI_HOLD_SCALE} of the long form's, clients writing
 * throughout, then the checker. The seed is {@code -Dwarpstats.faults.seed} (default 15); on failure
 * the report names it and the history file. {@code -Dwarpstats.faults.skip=true} skips it.
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES)
@DisabledIfSystemProperty(named = "warpstats.faults.skip", matches = "true")
class FaultInjectionTest {

    @Test
    void threeNodesUnderTwentyFaultsOfEveryKindLoseAndDoubleNothing() throws Exception {
        long seed = Long.getLong("warpstats.faults.seed", 15L);
        Path dir = Files.createTempDirectory("warpstats-faults-ci");
        Scenario s = Scenario.ci(seed, 20, dir, System.getProperty("java.class.path"));
        FaultReport report = FaultRunner.run(s, System.out::println);
        System.out.print(report.summary());
        assertThat(report.errors()).as(report.summary()).isEmpty();
        assertThat(report.faultsInjected().keySet()).as("kinds injected").contains(FaultKind.KILL, FaultKind.PAUSE, FaultKind.WIPE);
        if (report.network().equals("namespaces")) {
            assertThat(report.faultsInjected().keySet()).contains(FaultKind.PARTITION, FaultKind.DISK_FULL);
        }
        assertThat(report.faultsInjected().values()).as(report.summary()).allMatch(n -> n >= 20);
        assertThat(report.opsByOutcome().get(Op.Outcome.OK)).as("acknowledged operations").isGreaterThan(1000);
    }
}
