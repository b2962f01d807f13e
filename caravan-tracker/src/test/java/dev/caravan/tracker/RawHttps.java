package dev.caravan.tracker;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A test client that writes raw bytes over TLS once its handshake succeeds and records every
 * plaintext byte that comes back until the server closes the connection.
 */
final class RawHttps {
    /** What came back: the bytes, and how the handshake ended on this side. */
    record Exchange(byte[] received, boolean handshakeSucceeded) {
        String text() {
            return new String(received, StandardCharsets.UTF_8);
        }

        int status() {
            String t = text();
            return Integer.parseInt(t.substring(t.indexOf(' ') + 1, t.indexOf(' ') + 4));
        }

        String body() {
            String t = text();
            return t.substring(t.indexOf("\r\n\r\n") + 4);
        }
    }

    private RawHttps() {
    }

    /** Sends {@code request} and waits for the server to close the connection. */
    static Exchange exchange(EventLoopGroup group, SslContext tls, InetSocketAddress server, byte[] request, Duration wait)
            throws Exception {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        CompletableFuture<Boolean> handshake = new CompletableFuture<>();
        Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class).handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel c) {
                c.pipeline().addLast(tls.newHandler(c.alloc()), new ChannelInboundHandlerAdapter() {
                    @Override
                    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                        if (evt instanceof SslHandshakeCompletionEvent e) {
                            handshake.complete(e.isSuccess());
                            if (e.isSuccess()) {
                                ctx.writeAndFlush(Unpooled.wrappedBuffer(request));
                            }
                        }
                    }

                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ByteBuf buf = (ByteBuf) msg;
                        synchronized (received) {
                            byte[] b = ByteBufUtil.getBytes(buf);
                            received.write(b, 0, b.length);
                        }
                        buf.release();
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        ctx.close();
                    }
                });
            }
        }).connect(server).sync().channel();
        if (!ch.closeFuture().await(wait.toMillis(), TimeUnit.MILLISECONDS)) {
            ch.close().sync();
            throw new AssertionError("the server did not close the connection within " + wait);
        }
        synchronized (received) {
            return new Exchange(received.toByteArray(), handshake.getNow(false));
        }
    }

    /** An HTTP/1.1 request that asks the server to close the connection after answering. */
    static byte[] request(String method, String path, String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        String head = method + " " + path + " HTTP/1.1\r\nHost: tracker\r\nConnection: close\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + b.length + "\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[h.length + b.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(b, 0, all, h.length, b.length);
        return all;
    }
}
