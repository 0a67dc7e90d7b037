package dev.asyncqueue.benchmarks.ingest;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * Netty 4.2's HTTP codec on its NIO transport (pure Java, no native library): one event loop per processor,
 * the request aggregated with its body, the response written from whichever thread completes the action.
 */
final class NettyBareServer implements BareServer {
    private static final int MAX_BODY = 1024 * 1024;

    private final EventLoopGroup group;
    private final Channel channel;

    private NettyBareServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    static NettyBareServer start(Action action) throws InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(),
                new DefaultThreadFactory("bare-netty", true), NioIoHandler.newFactory());
        Channel channel = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(MAX_BODY), new Ingest(action));
                    }
                })
                .bind(0).sync().channel();
        return new NettyBareServer(group, channel);
    }

    /** Hands the body over and answers when the action completes. */
    private static final class Ingest extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final Action action;

        Ingest(Action action) {
            this.action = action;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            byte[] body = ByteBufUtil.getBytes(request.content());
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            action.apply(body).whenComplete((done, error) -> {
                FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                        error == null ? HttpResponseStatus.ACCEPTED : HttpResponseStatus.INTERNAL_SERVER_ERROR);
                response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
                HttpUtil.setKeepAlive(response, keepAlive);
                ChannelFuture written = ctx.writeAndFlush(response);
                if (!keepAlive) written.addListener(ChannelFutureListener.CLOSE);
            });
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    @Override
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
