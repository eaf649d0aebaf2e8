package io.warpstats.p2p.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdentityTest {
    @Test
    void createdOnceWithMode0600AndReloaded(@TempDir Path dir) throws IOException {
        Path data = dir.resolve("node");
        PrivateKey k1 = Identity.loadOrCreate(data);
        Path file = data.resolve(Identity.FILE_NAME);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Identity.loadOrCreate(data)).isEqualTo(k1);
        try (var s = Files.list(data)) {
            assertThat(s.count()).isEqualTo(1); // no temporary files left
        }
    }

    @Test
    void malformedFileIsAClearError(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve(Identity.FILE_NAME), "garbage");
        assertThatThrownBy(() -> Identity.loadOrCreate(dir)).isInstanceOf(IOException.class).hasMessageContaining("malformed");
    }
}
