package io.warpstats.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.node.core.NodeConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code deploy/}: the example configuration names and parses every setting; systemd accepts the unit. */
class DeployFilesTest {
    static final Path DEPLOY = Path.of("..", "deploy");
    @TempDir Path dir;

    @Test
    void theExampleConfigurationNamesEverySettingAndParses() throws Exception {
        String example = Files.readString(DEPLOY.resolve("warpstats.conf.example"));
        for (String key : NodeSettings.KEYS) {
            assertThat(example).as("documents %s", key).containsPattern("(?m)^#?" + key + "=");
        }
        Path f = dir.resolve("as-shipped.conf");
        Files.writeString(f, example);
        NodeSettings s = new NodeSettings();
        s.load(f);
        NodeConfig c = s.toConfig();
        assertThat(c.dataDir()).isEqualTo(Path.of("/var/lib/warpstats"));
        assertThat(c.http().port()).isEqualTo(8080);

        // every commented line uncommented: the documented defaults are valid and are the defaults
        Path all = dir.resolve("all.conf");
        Files.writeString(all, example.replaceAll("(?m)^#(bootstrap|http-token|dag-name|[a-z-]+-(ms|peers|hours|records))=", "$1="));
        NodeSettings a = new NodeSettings();
        a.load(all);
        NodeConfig d = a.toConfig();
        NodeConfig defaults = NodeConfig.defaults(c.dataDir(), c.listen());
        assertThat(d.bootstrap()).hasSize(2);
        assertThat(d.http().bearerToken()).isNotNull();
        assertThat(d.withBootstrap(defaults.bootstrap()).withHttp(null)).isEqualTo(defaults);
        assertThat(d.fetchTimeout()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void systemdAcceptsTheUnit() throws Exception {
        Process p;
        try {
            p = new ProcessBuilder("systemd-analyze", "verify", DEPLOY.resolve("warpstats.service").toString())
                    .redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            Assumptions.abort("systemd-analyze is not installed");
            return;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out.lines().filter(l -> l.contains("warpstats.service"))).as(out).isEmpty();
        String unit = Files.readString(DEPLOY.resolve("warpstats.service"));
        assertThat(unit).contains("DynamicUser=yes", "StateDirectory=warpstats", "Restart=on-failure", "LimitNOFILE=",
                "node --config %d/warpstats.conf");
    }
}
