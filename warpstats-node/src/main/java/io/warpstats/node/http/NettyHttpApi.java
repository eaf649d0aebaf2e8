package io.warpstats.node.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.warpstats.stats.StatsService;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link HttpApi} on Netty: one event loop thread for I/O, a bounded pool for the blocking operations,
 * one daemon thread sampling the node into the dashboard's {@link DashboardHistory} once a second.
 */
final class NettyHttpApi implements HttpApi {
    private static final Logger log = LoggerFactory.getLogger(NettyHttpApi.class);
    static final int MAX_INITIAL_LINE = 4096;
    static final int MAX_HEADER_BYTES = 8192;

    private final EventLoopGroup group;
    private final ThreadPoolExecutor workers;
    private final Channel server;
    private final ScheduledExecutorService sampler;

    private NettyHttpApi(EventLoopGroup group, ThreadPoolExecutor workers, Channel server, ScheduledExecutorService sampler) {
        this.group = group;
        this.workers = workers;
        this.server = server;
        this.sampler = sampler;
    }

    static HttpApi start(HttpConfig config, StatsService stats, NodeInfoSource nodeSource, PrometheusMeterRegistry registry,
                         RemotePosts remote) {
        CachedNodeInfo node = new CachedNodeInfo(nodeSource);
        DashboardHistory history = new DashboardHistory();
        ApiMetrics metrics = new ApiMetrics(registry, stats, node, history);
        Routes routes = new Routes(stats, node, metrics, history, remote);
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor workers = new ThreadPoolExecutor(config.workerThreads(), config.workerThreads(), 60,
                TimeUnit.SECONDS, new ArrayBlockingQueue<>(config.maxQueuedRequests()), r -> {
                    Thread t = new Thread(r, "http-worker-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        ClientLimits limits = new ClientLimits(config.limits(), System::nanoTime);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        ServerBootstrap b = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 256)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        long idle = config.idleTimeout().toMillis();
                        ch.pipeline()
                                .addLast(new IdleStateHandler(0, 0, idle, TimeUnit.MILLISECONDS))
                                .addLast(new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_BYTES, 8192))
                                .addLast(new BoundedAggregator(config.maxBodyBytes()))
                                .addLast(new ApiHandler(config, routes, metrics, workers, limits) {
                                    @Override
                                    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
                                        if (evt instanceof IdleStateEvent) {
                                            ctx.close();
                                        } else {
                                            super.userEventTriggered(ctx, evt);
                                        }
                                    }
                                });
                    }
                });
        try {
            Channel server = b.bind(config.host(), config.port()).sync().channel();
            log.info("HTTP API listening on http://{}", hostPort((InetSocketAddress) server.localAddress()));
            return new NettyHttpApi(group, workers, server, startSampling(nodeSource, history));
        } catch (Exception e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workers.shutdownNow();
            if (e instanceof BindException || e.getCause() instanceof BindException) {
                throw new UncheckedIOException("cannot listen on " + config.host() + ":" + config.port() + ": "
                        + e.getMessage(), new java.io.IOException(e));
            }
            throw new IllegalStateException("cannot start the HTTP API on " + config.host() + ":" + config.port(), e);
        }
    }

    /**
     * Samples the node into the dashboard's history once a second, on its own daemon thread (the source
     * walks the data directory), asking the source itself: the readers' cache could be up to a second old.
     */
    private static ScheduledExecutorService startSampling(NodeInfoSource node, DashboardHistory history) {
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dashboard-history");
            t.setDaemon(true);
            return t;
        });
        sampler.scheduleAtFixedRate(() -> {
            try {
                history.sample(node.nodeInfo(), System.currentTimeMillis());
            } catch (RuntimeException e) { // a closing node: the next sample tries again
                log.debug("dashboard sample failed: {}", e.toString());
            }
        }, 0, 1, TimeUnit.SECONDS);
        return sampler;
    }

    static String hostPort(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    @Override
    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        sampler.shutdownNow();
        workers.shutdown();
        try {
            workers.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** An aggregator that answers an over-long body with a problem document naming the limit. */
    static final class BoundedAggregator extends HttpObjectAggregator {
        private final int limit;

        BoundedAggregator(int limit) {
            super(limit);
            this.limit = limit;
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, io.netty.handler.codec.http.HttpMessage oversized) {
            // like Netty's default: keep a keep-alive connection (the rest of the body is discarded), else close
            boolean keep = !(oversized instanceof io.netty.handler.codec.http.FullHttpMessage)
                    && io.netty.handler.codec.http.HttpUtil.isKeepAlive(oversized);
            ApiHandler.send(ctx, Response.problem(413, "body-too-large", "Body too large",
                    "the request body is larger than the limit of " + limit + " bytes"), keep);
        }
    }
}
