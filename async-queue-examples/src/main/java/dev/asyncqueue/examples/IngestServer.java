package dev.asyncqueue.examples;

import dev.asyncqueue.examples.web.Admission;
import dev.asyncqueue.examples.web.BlockingRoute;
import dev.asyncqueue.examples.web.Route;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The ingest port's HTTP server, on Netty: a few I/O threads (one per processor) read requests and run each
 * {@link Route}'s decision, which must not block; the ingest's own calls complete there, answered when the
 * queue confirms. Work that may block runs on {@link IngestExecutor}'s bounded threads, and a request that
 * finds no room there is answered 503 with {@code Retry-After} at once.
 *
 * <p>The codec's header limits sit well above the ingest's own ({@link IngestHandler#MAX_HEADER_LINES},
 * {@link IngestHandler#MAX_HEADER_BYTES}), so the ingest answers 431 to what lies between; the codec's limit
 * still bounds the memory one request's head can take, and past it the server answers 431 itself.
 */
final class IngestServer implements AutoCloseable {
    /** Header bytes the codec reads before answering 431 itself. */
    static final int CODEC_MAX_HEADER_BYTES = 1024 * 1024;
    /** Longest request line the codec reads before answering 414. */
    static final int CODEC_MAX_REQUEST_LINE = 64 * 1024;
    /** Largest body read for a route that serves on the bounded threads (status, cancel, health). */
    static final long BLOCKING_MAX_BODY = 1024 * 1024;
    /** An idle keep-alive connection is closed after this long, as the JDK's server does, so idle callers cannot hold sockets for ever. */
    static final int IDLE_SECONDS = 60;

    /** A route and where it is served. */
    record Served(String prefix, Route route, boolean always) {
    }

    private final int port;
    private final IngestExecutor executor;
    private final List<Served> routes = new ArrayList<>();
    private volatile List<Served> byLongestPrefix = List.of();
    private EventLoopGroup group;
    private Channel channel;

    /** Listens on {@code port} (0 picks a free one) once {@link #start()} is called. */
    IngestServer(int port, IngestLimits limits) {
        this.port = port;
        this.executor = new IngestExecutor(limits.threads(), limits.queueSize());
    }

    /** Serves paths that start with {@code prefix} with {@code route}; its blocking work finds room or is answered 503. */
    void serve(String prefix, Route route) {
        routes.add(new Served(prefix, route, false));
    }

    /** Serves {@code prefix} with {@code route} on the bounded threads; answered 503 when they have no room. */
    void serveBlocking(String prefix, BlockingRoute route) {
        serve(prefix, request -> new Admission.Blocking(BLOCKING_MAX_BODY, route));
    }

    /** Serves {@code prefix} with {@code route} even when the ingest has no room (health checks). */
    void serveAlways(String prefix, BlockingRoute route) {
        routes.add(new Served(prefix, request -> new Admission.Blocking(BLOCKING_MAX_BODY, route), true));
    }

    /** Starts serving. */
    void start() throws IOException {
        List<Served> sorted = new ArrayList<>(routes);
        sorted.sort(Comparator.comparingInt((Served served) -> served.prefix().length()).reversed());
        byLongestPrefix = List.copyOf(sorted);
        HttpDecoderConfig codec = new HttpDecoderConfig()
                .setMaxHeaderSize(CODEC_MAX_HEADER_BYTES)
                .setMaxInitialLineLength(CODEC_MAX_REQUEST_LINE);
        group = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(),
                new DefaultThreadFactory("async-queue-ingest-io", true), NioIoHandler.newFactory());
        try {
            channel = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 128)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS),
                                    new HttpServerCodec(codec), new IngestConnection(IngestServer.this));
                        }
                    })
                    .bind(new InetSocketAddress(port)).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IOException("interrupted while binding port " + port, e);
        } catch (Exception e) { // the bind's own IOException arrives undeclared
            close();
            if (e instanceof IOException io) throw io;
            throw new IOException("cannot listen on port " + port + ": " + e.getMessage(), e);
        }
    }

    /** The route serving {@code rawPath}: the one with the longest prefix of it, or null. */
    Served match(String rawPath) {
        for (Served served : byLongestPrefix) {
            if (rawPath.startsWith(served.prefix())) return served;
        }
        return null;
    }

    IngestExecutor executor() {
        return executor;
    }

    /** Requests waiting for a thread now. */
    int waiting() {
        return executor.waiting();
    }

    /** The port listened on. */
    int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** Stops listening, gives answers under way a second to be written, and stops the threads. */
    @Override
    public void close() {
        if (channel != null) channel.close().syncUninterruptibly();
        if (group != null) group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        executor.close();
    }
}
