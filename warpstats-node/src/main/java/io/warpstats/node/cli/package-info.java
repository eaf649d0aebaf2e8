/**
 * The {@code warpstats} command line (picocli): the node daemon, the demo, client commands
 * against a node's HTTP API, and the inspection tools ({@code id}, {@code p2p …}, {@code block …}).
 *
 * <p>Invariants: every command reads its input as hostile; bad input prints one line on stderr
 * and exits 2, a failed operation exits 1, success exits 0 ({@link io.warpstats.node.cli.Main}).
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
