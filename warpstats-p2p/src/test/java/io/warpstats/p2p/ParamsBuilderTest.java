package io.warpstats.p2p;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warpstats.p2p.pubsub.GossipParams;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The parameter records' builders: a round trip is the identity, one change changes one field, build() validates. */
class ParamsBuilderTest {

    @Test
    void hostOptions() {
        HostOptions d = HostOptions.defaults();
        assertThat(d.toBuilder().build()).isEqualTo(d);
        HostOptions changed = d.toBuilder().maxConnections(7).idleTimeout(Duration.ZERO).build();
        assertThat(changed.maxConnections()).isEqualTo(7);
        assertThat(changed.idleTimeout()).isZero();
        assertThat(changed.withMaxConnections(d.maxConnections()).withIdleTimeout(d.idleTimeout())).isEqualTo(d);
        assertThatThrownBy(() -> d.toBuilder().streamReceiveWindow(1024).build()).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void gossipParams() {
        GossipParams d = GossipParams.defaults();
        assertThat(d.toBuilder().build()).isEqualTo(d);
        assertThat(d.withFloodPublish(!d.floodPublish()).withFloodPublish(d.floodPublish())).isEqualTo(d);
        assertThat(d.toBuilder().d(8).dHi(14).build().d()).isEqualTo(8);
    }
}
