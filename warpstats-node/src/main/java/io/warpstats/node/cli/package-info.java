/**
 * The {@code warpstats} command line (picocli): the node daemon, the demo, one client command per
 * operation of a node's HTTP API ({@link io.warpstats.node.cli.ClientCommands}, text or {@code --json},
 * the node found by {@code --node} or a node's {@code --config} file), the legacy import
 * ({@link io.warpstats.node.cli.ImportCommand}: validate the whole file, then all-or-nothing batches),
 * shell completion, and the inspection tools ({@code id}, {@code p2p …}, {@code block …}).
 *
 * <p>Invariants: every command reads its input as hostile; bad input prints one line on stderr (import
 * first lists the file's bad lines, one each)
 * and exits 2 ({@link io.warpstats.node.cli.BadInputException}), a failed operation exits 1
 * ({@link io.warpstats.node.cli.OperationFailedException}), success exits 0 ({@link io.warpstats.node.cli.Main}).
 * Commands hold no logic of their own beyond parsing and printing: they call the node, stats,
 * p2p and crdt APIs. The demo ({@code Demo}) drives {@code warpstats node} child processes of the
 * same class path ({@code DemoNode}) over their HTTP APIs ({@code DemoWorkload}) and always stops
 * them, except with {@code --keep} until the demo itself is stopped.
 *
 * <p>Null is accepted or returned only where a type says {@code @Nullable} (the package is {@code @NullMarked}).
 */
@NullMarked
package io.warpstats.node.cli;

import org.jspecify.annotations.NullMarked;
