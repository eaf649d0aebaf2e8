/**
 * The {@code /interop/echo/1.0.0} request/response protocol ({@link io.warpstats.p2p.echo.Echo}).
 * Invariant: one bounded request per stream.
 *
 * <p>Null is accepted or returned only where a type says {@code @Nullable} (the package is {@code @NullMarked}).
 */
@NullMarked
package io.warpstats.p2p.echo;

import org.jspecify.annotations.NullMarked;
