/**
 * The node's HTTP API on Netty: JSON endpoints over a {@link io.warpstats.stats.StatsService}, node
 * information from a {@link io.warpstats.node.http.NodeInfoSource}, Prometheus metrics, the OpenAPI
 * document and the dashboard with the history its charts draw (one sample a second, the last ten
 * minutes: {@code DashboardHistory}). Public: {@link io.warpstats.node.http.HttpApi},
 * {@link io.warpstats.node.http.HttpConfig}, {@link io.warpstats.node.http.NodeInfo},
 * {@link io.warpstats.node.http.NodeInfoSource}; everything else is package-private.
 *
 * <p>Null is accepted or returned only where a type says {@code @Nullable} (the package is {@code @NullMarked}).
 */
@NullMarked
package io.warpstats.node.http;

import org.jspecify.annotations.NullMarked;
