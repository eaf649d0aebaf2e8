package io.warpstats.node.http;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parses, authenticates and routes one request at a time per connection (reading pauses until the answer
 * is written, so pipelined answers keep their order), bounded in time. A write is parsed and queued for the
 * statistics' group commit on the event loop, which never waits for it: the answer (the post's statistics)
 * is read on a worker once the write is durable. Every other operation runs on a worker.
 */
class ApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(ApiHandler.class);
    private final HttpConfig config;
    private final Routes routes;
    private final ApiMetrics metrics;
    private final Executor workers;
    private final Executor readers;
    private final byte[] token;
    private final ClientLimits limits;

    ApiHandler(HttpConfig config, Routes routes, ApiMetrics metrics, Executor workers) {
        this(config, routes, metrics, workers, new ClientLimits(config.limits(), System::nanoTime));
    }

    /** {@code limits}: the rate limits shared by all connections of the API. */
    ApiHandler(HttpConfig config, Routes routes, ApiMetrics metrics, Executor workers, ClientLimits limits) {
        this.config = config;
        this.limits = limits;
        this.routes = routes;
        this.metrics = metrics;
        this.workers = workers;
        this.readers = task -> { // the answer of a write that is done: run it here rather than refuse it
            try {
                workers.execute(task);
            } catch (RejectedExecutionException e) {
                task.run();
            }
        };
        this.token = config.bearerToken() == null ? null : ("Bearer " + config.bearerToken()).getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        long start = System.nanoTime();
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        if (req.decoderResult().isFailure()) {
            Throwable cause = req.decoderResult().cause();
            String detail = cause instanceof TooLongFrameException
                    ? "the request line or headers are too long (limits: " + NettyHttpApi.MAX_INITIAL_LINE
                    + " bytes for the request line, " + NettyHttpApi.MAX_HEADER_BYTES + " bytes for the headers)"
                    : "the request is not valid HTTP/1.1";
            send(ctx, Response.problem(400, "malformed-request", "Malformed request", detail), false);
            return;
        }
        String method = req.method().name();
        QueryStringDecoder uri = new QueryStringDecoder(req.uri());
        String path = uri.rawPath();
        List<String> segments;
        try {
            segments = segments(path);
        } catch (ProblemException e) {
            finish(ctx, e.response(), keepAlive, "unmatched", method, start);
            return;
        }
        String template = Routes.template(segments);
        if (template == null) {
            finish(ctx, Response.problem(404, "no-such-route", "Not found",
                    "there is no endpoint " + printable(path) + "; the endpoints are listed at /openapi.json"),
                    keepAlive, "unmatched", method, start);
            return;
        }
        List<String> allowed = Routes.methods(template);
        if (!allowed.contains(method)) {
            finish(ctx, Response.problem(405, "method-not-allowed", "Method not allowed",
                    method + " is not allowed on " + template + "; allowed: " + String.join(", ", allowed))
                    .withHeader("Allow", String.join(", ", allowed)), keepAlive, template, method, start);
            return;
        }
        if (token != null && needsToken(template) && !authorized(req)) {
            finish(ctx, Response.problem(401, "unauthorized", "Unauthorized",
                    "this endpoint needs the header Authorization: Bearer <token> with the node's configured token")
                    .withHeader("WWW-Authenticate", "Bearer realm=\"warpstats\""), keepAlive, template, method, start);
            return;
        }
        if (needsToken(template) && !template.equals("/metrics")) {
            boolean write = !method.equals("GET") && !method.equals("HEAD");
            Response limited = limits.admit(write, req.headers().get(HttpHeaderNames.AUTHORIZATION), ctx.channel().remoteAddress());
            if (limited != null) {
                metrics.rateLimited(write);
                finish(ctx, limited, keepAlive, template, method, start);
                return;
            }
        }
        Request request = new Request(method, path, segments, uri.parameters(),
                req.headers().get(HttpHeaderNames.CONTENT_TYPE), ByteBufUtil.getBytes(req.content()));
        AtomicBoolean answered = new AtomicBoolean();
        ctx.channel().config().setAutoRead(false);
        var timeout = ctx.executor().schedule(() -> {
            if (answered.compareAndSet(false, true)) {
                finish(ctx, Response.problem(503, "timeout", "Timed out", "the request took longer than "
                        + config.requestTimeout().toMillis() + " ms; a write may still complete, read before retrying"),
                        false, template, method, start);
            }
        }, config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
        try {
            CompletableFuture<Response> answer = Routes.isWrite(template) ? startWrite(template, request)
                    : routes.remoteRead(template, request, readers)
                            .orElseGet(() -> CompletableFuture.supplyAsync(() -> run(template, request), workers));
            answer.whenComplete((response, failure) -> {
                if (answered.compareAndSet(false, true)) {
                    timeout.cancel(false);
                    Response r = response != null ? response : internal(request, failure);
                    ctx.executor().execute(() -> finish(ctx, r, keepAlive, template, method, start));
                }
            });
        } catch (RejectedExecutionException e) {
            if (answered.compareAndSet(false, true)) {
                timeout.cancel(false);
                finish(ctx, Response.problem(503, "busy", "Busy", "too many requests are waiting; try again shortly")
                        .withHeader("Retry-After", "1"), keepAlive, template, method, start);
            }
        }
    }

    /** Parses and queues a write (here, on the event loop: neither blocks); the future yields its answer. */
    private CompletableFuture<Response> startWrite(String template, Request request) {
        try {
            return routes.write(template, request, readers);
        } catch (ProblemException e) {
            return CompletableFuture.completedFuture(e.response());
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(internal(request, e));
        }
    }

    private static Response internal(Request request, Throwable e) {
        log.error("request {} {} failed", request.method(), printable(request.path()), e);
        return Response.problem(500, "internal", "Internal error", "the node failed to handle the request; see its log");
    }

    private Response run(String template, Request request) {
        try {
            Response r = routes.handle(template, request);
            return request.method().equals("HEAD") ? new Response(r.status(), r.contentType(), new byte[0], r.headers()) : r;
        } catch (ProblemException e) {
            return e.response();
        } catch (RuntimeException | Error e) {
            return internal(request, e);
        }
    }

    private void finish(ChannelHandlerContext ctx, Response response, boolean keepAlive, String route, String method,
                        long start) {
        metrics.request(route, method, response.status(), System.nanoTime() - start);
        send(ctx, response, keepAlive);
        ctx.channel().config().setAutoRead(true);
    }

    static void send(ChannelHandlerContext ctx, Response r, boolean keepAlive) {
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()),
                Unpooled.wrappedBuffer(r.body()));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
        res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        res.headers().set("X-Content-Type-Options", "nosniff");
        for (Map.Entry<String, String> h : r.headers().entrySet()) {
            res.headers().set(h.getKey(), h.getValue());
        }
        if (keepAlive) {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(res);
        } else {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static boolean needsToken(String template) {
        return template.startsWith("/v1/") || template.equals("/metrics");
    }

    private boolean authorized(FullHttpRequest req) {
        String h = req.headers().get(HttpHeaderNames.AUTHORIZATION);
        return h != null && MessageDigest.isEqual(h.getBytes(StandardCharsets.US_ASCII), token);
    }

    /** The path's segments, percent-decoded as UTF-8 (strictly); a trailing slash is ignored. */
    static List<String> segments(String path) {
        List<String> out = new ArrayList<>();
        for (String raw : path.split("/")) {
            if (!raw.isEmpty()) {
                out.add(decode(raw));
            }
        }
        return out;
    }

    private static String decode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length() || Character.digit(s.charAt(i + 1), 16) < 0 || Character.digit(s.charAt(i + 2), 16) < 0) {
                    throw ProblemException.badRequest("malformed-request", "the path has a malformed percent-escape");
                }
                b.write(Character.digit(s.charAt(i + 1), 16) * 16 + Character.digit(s.charAt(i + 2), 16));
                i += 2;
            } else {
                b.write(c);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(b.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw ProblemException.badRequest("malformed-request", "the path is not valid UTF-8 once percent-decoded");
        }
    }

    static String printable(String s) {
        String t = s.length() > 200 ? s.substring(0, 200) + "…" : s;
        return t.replaceAll("[^\\x20-\\x7e…]", "?");
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("HTTP connection error: {}", cause.toString());
        ctx.close();
    }

    static boolean isHead(HttpMethod m) {
        return HttpMethod.HEAD.equals(m);
    }
}
