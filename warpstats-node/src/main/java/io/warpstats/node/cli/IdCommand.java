package io.warpstats.node.cli;

import io.warpstats.p2p.PeerId;
import io.warpstats.p2p.crypto.Identity;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code warpstats id --data-dir DIR}: prints the node's peer id, creating its identity if needed. */
@Command(name = "id", description = "Print the node's peer id (creates the identity key in the data directory if missing).")
public final class IdCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", required = true, description = "The node's data directory.")
    Path dataDir;

    @Override
    public Integer call() throws Exception {
        spec.commandLine().getOut().println(PeerId.fromPublicKey(Identity.loadOrCreate(dataDir).publicKey()));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
