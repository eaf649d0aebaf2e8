/**
 * The command line of the benchmark mains: one {@link io.warpstats.bench.cli.BenchCommandLine} wraps
 * a picocli {@code @Command} so that every benchmark has {@code --help}, described options with
 * defaults, and the project's exit codes (0 success, 1 the run failed, 2 bad input with one line on
 * stderr).
 *
 * <p>Null is accepted or returned only where a type says {@code @Nullable} (the package is {@code @NullMarked}).
 */
@NullMarked
package io.warpstats.bench.cli;

import org.jspecify.annotations.NullMarked;
