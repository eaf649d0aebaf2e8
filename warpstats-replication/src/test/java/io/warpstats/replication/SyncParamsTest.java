package io.warpstats.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@link SyncParams}' builder: a round trip is the identity, one change changes one field, build() validates. */
class SyncParamsTest {

    @Test
    void syncParams() {
        SyncParams d = SyncParams.defaults();
        assertThat(d.toBuilder().build()).isEqualTo(d);
        SyncParams big = d.withBlockBudget(d.maxWalkSteps() * 2);
        assertThat(big.blockBudget()).isEqualTo(d.maxWalkSteps() * 2);
        assertThat(big.maxWalkSteps()).isEqualTo(big.blockBudget());
        assertThat(d.withRequestTimeout(Duration.ofSeconds(3)).requestTimeout()).hasSeconds(3);
        assertThatThrownBy(() -> d.toBuilder().requestTimeout(Duration.ZERO).build()).isInstanceOf(IllegalArgumentException.class);
    }
}
