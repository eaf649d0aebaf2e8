package io.warpstats.bench.cli;

import picocli.CommandLine;

/**
 * The picocli command line of a benchmark main, with the project's exit codes: 0 success (also
 * {@code --help}), 1 the benchmark failed (the exception on stderr), 2 bad input (an unknown option,
 * a malformed or out-of-range value: one line on stderr, {@code error: …}).
 *
 * <p>A command reports a value it rejects after parsing by throwing {@link #badInput}. Not
 * thread-safe; one instance parses one command line.
 */
public final class BenchCommandLine {
    private BenchCommandLine() {}

    /** The command line of {@code command} (an instance of a {@code @Command} class) with the exit codes above. */
    public static CommandLine of(Object command) {
        CommandLine cl = new CommandLine(command);
        cl.setParameterExceptionHandler((ex, args) -> {
            ex.getCommandLine().getErr().println("error: " + ex.getMessage());
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            commandLine.getErr().println("failed: " + ex);
            ex.printStackTrace(commandLine.getErr());
            return 1;
        });
        return cl;
    }

    /** Parses {@code args} into {@code command}, runs it and returns the exit code (never throws). */
    public static int execute(Object command, String... args) {
        return of(command).execute(args);
    }

    /** A value that parsed but is not allowed (exit 2); {@code spec} is the command's {@code @Spec}. */
    public static CommandLine.ParameterException badInput(CommandLine.Model.CommandSpec spec, String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
