package io.warpstats.p2p.identify;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.warpstats.p2p.IdentifyInfo;

/**
 * Coverage-guided fuzzing of {@link IdentifyMessage#decode}: a value or
 * {@link IllegalArgumentException}; what is accepted survives {@code decode(encode(info))}.
 */
class IdentifyFuzzer {
    @FuzzTest(maxDuration = "3s")
    void decode(byte[] msg) {
        IdentifyInfo info;
        try {
            info = IdentifyMessage.decode(msg);
        } catch (IllegalArgumentException rejected) {
            return;
        }
        assertThat(IdentifyMessage.decode(IdentifyMessage.encode(info))).isEqualTo(info);
    }
}
