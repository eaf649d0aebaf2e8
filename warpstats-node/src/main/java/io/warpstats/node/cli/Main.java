package io.warpstats.node.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code warpstats} command line. Exit codes: 0 success, 1 failure of the operation
 * (peer unreachable, node disagreement), 2 bad input (usage, malformed data).
 */
@Command(name = "warpstats", mixinStandardHelpOptions = true, version = "warpstats 0.1.0",
        description = "CRDT-based post statistics over a libp2p network.",
        subcommands = {
            CommandLine.HelpCommand.class,
            BlockCommand.class,
            IdCommand.class,
            P2pCommand.class,
            NodeCommand.class,
            DemoCommand.class,
            ClientCommands.Like.class,
            ClientCommands.Unlike.class,
            ClientCommands.Retweet.class,
            ClientCommands.Unretweet.class,
            ClientCommands.View.class,
            ClientCommands.Stats.class,
            ClientCommands.Reply.class,
            ClientCommands.Unreply.class,
            ClientCommands.Likers.class,
            ClientCommands.UserLikes.class,
            ClientCommands.Info.class,
            ClientCommands.Health.class,
            ClientCommands.Dashboard.class,
            ImportCommand.class,
            CompletionCommand.class,
        })
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Builds the command line with the project's error handling: bad input exits 2 with one line on stderr. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.getSubcommands().get("p2p").addSubcommand("pubsub", new PubsubCommand());
        cl.setParameterExceptionHandler((ex, args) -> {
            ex.getCommandLine().getErr().println("error: " + ex.getMessage());
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof IllegalArgumentException || ex instanceof BadInputException) {
                commandLine.getErr().println("error: " + ex.getMessage());
                return 2;
            }
            if (ex instanceof OperationFailedException) {
                commandLine.getErr().println("failed: " + ex.getMessage());
                return 1;
            }
            commandLine.getErr().println("failed: " + ex);
            return 1;
        });
        return cl;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
