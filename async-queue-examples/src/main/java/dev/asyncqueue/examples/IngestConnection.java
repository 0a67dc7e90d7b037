package dev.asyncqueue.examples;

import dev.asyncqueue.examples.web.Admission;
import dev.asyncqueue.examples.web.Headers;
import dev.asyncqueue.examples.web.Reply;
import dev.asyncqueue.examples.web.Request;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;

/**
 * One connection to the ingest port: turns Netty's request parts into a {@link Request}, carries out its
 * route's {@link Admission}, and writes the {@link Reply}. All its state is touched on the connection's I/O
 * thread only; answers completed elsewhere come back to it.
 *
 * <p>One request at a time: while one is being answered, what the caller sends next is held and reading
 * stops, so pipelined requests are answered in order and a caller cannot pile them up in memory. A body
 * is read only when the route asks for it, up to the route's limit; {@code 100 Continue} is sent only then,
 * so a request refused on its head never sends its body. A request answered before its body was read has
 * its connection closed after the answer, as the rest of that body cannot be told from the next request.
 */
final class IngestConnection extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(IngestConnection.class);
    /** The largest array a body is read into. */
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 16;
    private static final int FIRST_CHUNK = 8 * 1024;

    private enum State {
        /** Awaiting a request's head. */
        HEAD,
        /** Reading the body the route asked for. */
        BODY,
        /** Passing over the rest of a body nobody reads. */
        SKIP,
        /** A decision or an answer is under way elsewhere; what arrives is held. */
        WAIT
    }

    private final IngestServer server;
    private final ArrayDeque<Object> held = new ArrayDeque<>();
    private State state = State.HEAD;
    private Request request;
    private IngestServer.Served served;
    private boolean keepAlive;
    private boolean http10;
    private boolean bodyDeclared;
    private boolean expectsContinue;
    private boolean lastSeen;
    private long declaredLength;
    private Admission reading;
    private long maxBytes;
    private byte[] body;
    private int size;

    IngestConnection(IngestServer server) {
        this.server = server;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state == State.WAIT) {
            held.add(msg);
            ctx.channel().config().setAutoRead(false);
            return;
        }
        process(ctx, msg);
    }

    private void process(ChannelHandlerContext ctx, Object msg) {
        try {
            // A head the codec could not parse comes whole (head and body in one): it is answered, and closes.
            if (msg instanceof HttpRequest head) {
                onHead(ctx, head);
            } else if (msg instanceof HttpContent content && ctx.channel().isActive()) {
                onContent(ctx, content);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onHead(ChannelHandlerContext ctx, HttpRequest head) {
        lastSeen = false;
        keepAlive = HttpUtil.isKeepAlive(head);
        http10 = head.protocolVersion().equals(HttpVersion.HTTP_1_0);
        bodyDeclared = HttpUtil.isTransferEncodingChunked(head) || HttpUtil.getContentLength(head, 0L) > 0;
        expectsContinue = HttpUtil.is100ContinueExpected(head);
        declaredLength = HttpUtil.getContentLength(head, -1L);
        DecoderResult decoded = head.decoderResult();
        if (decoded.isFailure()) {
            bodyDeclared = true; // the codec reads no more: nothing after this head can be trusted
            answer(ctx, codecFailure(decoded.cause()));
            return;
        }
        URI target;
        try {
            target = new URI(head.uri());
        } catch (URISyntaxException e) {
            answer(ctx, Reply.of(400, Reply.TEXT, "malformed request target\n"));
            return;
        }
        if (target.getRawPath() == null || !target.getRawPath().startsWith("/")) {
            answer(ctx, Reply.of(400, Reply.TEXT, "malformed request target\n"));
            return;
        }
        request = new Request(head.method().name(), target.getRawPath(),
                target.getRawQuery() == null ? "" : target.getRawQuery(), new NettyHeaders(head.headers()));
        served = server.match(request.rawPath());
        if (served == null) {
            answer(ctx, Reply.of(404, Reply.TEXT, "not found\n"));
            return;
        }
        Admission admission;
        try {
            admission = served.route().admit(request);
        } catch (RuntimeException e) {
            log.error("request to {} failed", served.prefix(), e);
            admission = Admission.answer(Reply.of(500, Reply.TEXT, "internal error\n"));
        }
        carryOut(ctx, admission);
    }

    /** Does what the route decided. */
    private void carryOut(ChannelHandlerContext ctx, Admission admission) {
        if (!ctx.channel().isActive()) {
            if (admission instanceof Admission.ReadBody read) read.abandoned().run();
            return;
        }
        if (admission instanceof Admission.Answer now) {
            answer(ctx, now.reply());
        } else if (admission instanceof Admission.ReadBody read) {
            readBody(ctx, read, read.maxBytes());
        } else if (admission instanceof Admission.Blocking blocking) {
            readBody(ctx, blocking, blocking.maxBytes());
        } else if (admission instanceof Admission.Offload offload) {
            state = State.WAIT;
            boolean room = server.executor().tryRun(() -> {
                Admission decided;
                try {
                    decided = offload.decide().get();
                } catch (RuntimeException e) {
                    log.error("request to {} failed", served.prefix(), e);
                    decided = Admission.answer(Reply.of(500, Reply.TEXT, "internal error\n"));
                }
                Admission then = decided;
                ctx.executor().execute(() -> {
                    state = lastSeen ? State.HEAD : State.SKIP;
                    carryOut(ctx, then);
                    resume(ctx);
                });
            }, served.always());
            if (!room) answer(ctx, busy());
        }
    }

    private void readBody(ChannelHandlerContext ctx, Admission admission, long limit) {
        reading = admission;
        maxBytes = Math.min(limit, MAX_ARRAY - 1);
        size = 0;
        // A declared length within the limit is read into one array; otherwise the array grows as the body comes.
        body = new byte[(int) (declaredLength >= 0 && declaredLength <= maxBytes ? declaredLength
                : Math.min(maxBytes + 1, FIRST_CHUNK))];
        state = State.BODY;
        if (lastSeen) {
            bodyRead(ctx);
        } else if (expectsContinue) {
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        }
    }

    private void onContent(ChannelHandlerContext ctx, HttpContent content) {
        if (content.decoderResult().isFailure()) {
            abandonBody();
            bodyDeclared = true;
            lastSeen = false;
            answer(ctx, codecFailure(content.decoderResult().cause()));
            return;
        }
        boolean last = content instanceof LastHttpContent;
        if (last) lastSeen = true;
        if (state == State.BODY) {
            boolean cut = append(content.content());
            if (cut || last) bodyRead(ctx);
        } else if (state == State.SKIP && last) {
            state = State.HEAD;
        }
    }

    /** Keeps up to one byte past the limit; true once past it. */
    private boolean append(ByteBuf chunk) {
        int take = (int) Math.min(chunk.readableBytes(), maxBytes + 1 - size);
        if (size + take > body.length) {
            body = Arrays.copyOf(body, (int) Math.min(maxBytes + 1, Math.max((long) body.length * 2, size + take)));
        }
        chunk.readBytes(body, size, take);
        size += take;
        return size > maxBytes;
    }

    /** Hands the body to the route, and answers when it is done. */
    private void bodyRead(ChannelHandlerContext ctx) {
        byte[] bytes = size == body.length ? body : Arrays.copyOf(body, size);
        Admission admission = reading;
        reading = null;
        body = null;
        state = State.WAIT;
        if (admission instanceof Admission.ReadBody read) {
            CompletionStage<Reply> answered;
            try {
                answered = read.then().apply(bytes);
            } catch (RuntimeException e) {
                log.error("request to {} failed", served.prefix(), e);
                answered = CompletableFuture.completedFuture(Reply.of(500, Reply.TEXT, "internal error\n"));
            }
            answered.whenComplete((reply, error) -> {
                if (error != null) log.error("request to {} failed", served.prefix(), error);
                Reply done = reply != null ? reply : Reply.of(500, Reply.TEXT, "internal error\n");
                if (ctx.executor().inEventLoop()) {
                    finish(ctx, done);
                } else {
                    ctx.executor().execute(() -> finish(ctx, done));
                }
            });
        } else if (admission instanceof Admission.Blocking blocking) {
            Request blocked = request;
            boolean room = server.executor().tryRun(() -> {
                Reply reply;
                try {
                    reply = blocking.work().answer(blocked, bytes);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    reply = Reply.of(503, Reply.TEXT, "shutting down\n");
                } catch (Exception e) {
                    log.error("request to {} failed", served.prefix(), e);
                    reply = Reply.of(500, Reply.TEXT, "internal error\n");
                }
                Reply done = reply;
                ctx.executor().execute(() -> finish(ctx, done));
            }, served.always());
            if (!room) finish(ctx, busy());
        }
    }

    private static Reply busy() {
        return Reply.of(503, Reply.TEXT, "ingest busy: no room for more requests; retry after "
                + IngestHandler.RETRY_AFTER_SECONDS + "s\n").with("Retry-After", Integer.toString(IngestHandler.RETRY_AFTER_SECONDS));
    }

    /** Answers now, before the body is read: it is passed over, or the connection closed when one was sent. */
    private void answer(ChannelHandlerContext ctx, Reply reply) {
        abandonBody();
        finish(ctx, reply);
    }

    /** Writes the answer; the connection stays open for the next request when the whole request was read. */
    private void finish(ChannelHandlerContext ctx, Reply reply) {
        if (!ctx.channel().isActive()) return;
        boolean close = !keepAlive || bodyDeclared && !lastSeen;
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(reply.status()), Unpooled.wrappedBuffer(reply.body()));
        HttpHeaders headers = response.headers();
        for (Map.Entry<String, String> header : reply.headers().entrySet()) headers.set(header.getKey(), header.getValue());
        headers.setInt(HttpHeaderNames.CONTENT_LENGTH, reply.body().length);
        if (close) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (http10) {
            // An HTTP/1.0 caller that asked for keep-alive closes unless told it is kept.
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        if (close) {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            state = State.WAIT; // nothing more is read
            return;
        }
        ctx.writeAndFlush(response);
        state = lastSeen ? State.HEAD : State.SKIP;
        resume(ctx);
    }

    /** Goes on with what was held while the answer was under way. */
    private void resume(ChannelHandlerContext ctx) {
        while (state != State.WAIT && !held.isEmpty()) process(ctx, held.poll());
        if (state != State.WAIT) ctx.channel().config().setAutoRead(true);
    }

    /** The route that asked for a body no longer gets it. */
    private void abandonBody() {
        if (reading instanceof Admission.ReadBody read) read.abandoned().run();
        reading = null;
        body = null;
    }

    private static Reply codecFailure(Throwable cause) {
        if (cause instanceof TooLongHttpHeaderException) {
            return Reply.of(431, Reply.TEXT, "request headers are over the limit of " + IngestServer.CODEC_MAX_HEADER_BYTES + " bytes\n");
        }
        if (cause instanceof TooLongHttpLineException) {
            return Reply.of(414, Reply.TEXT, "request line is over the limit of " + IngestServer.CODEC_MAX_REQUEST_LINE + " bytes\n");
        }
        return Reply.of(400, Reply.TEXT, "malformed request\n");
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent && state != State.WAIT) {
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        abandonBody();
        while (!held.isEmpty()) ReferenceCountUtil.release(held.poll());
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("ingest connection closed: {}", cause.toString());
        ctx.close();
    }

    /** A request's header lines as Netty parsed them, without a copy. */
    private record NettyHeaders(HttpHeaders headers) implements Headers {
        @Override
        public String first(String name) {
            return headers.get(name);
        }

        @Override
        public void forEach(BiConsumer<String, String> line) {
            for (Iterator<Map.Entry<String, String>> it = headers.iteratorAsString(); it.hasNext(); ) {
                Map.Entry<String, String> header = it.next();
                line.accept(header.getKey(), header.getValue());
            }
        }

        @Override
        public int lines() {
            return headers.size();
        }
    }
}
