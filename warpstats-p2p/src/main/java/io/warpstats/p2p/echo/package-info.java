/**
 * The {@code /interop/echo/1.0.0} request/response protocol ({@link io.warpstats.p2p.echo.Echo}).
 * Invariant: one bounded request per stream.
 */
package io.warpstats.p2p.echo;
