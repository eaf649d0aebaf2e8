/**
 * The command line of the benchmark mains: one {@link io.warpstats.bench.cli.BenchCommandLine} wraps
 * a picocli {@code @Command} so that every benchmark has {@code --help}, described options with
 * defaults, and the project's exit codes (0 success, 1 the run failed, 2 bad input with one line on
 * stderr).
 */
package io.warpstats.bench.cli;
