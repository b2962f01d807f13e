package dev.caravan.wire.tls;

import dev.caravan.wire.Data;
import dev.caravan.wire.Hello;
import dev.caravan.wire.Message;
import dev.caravan.wire.MessageDecoder;
import dev.caravan.wire.MessageEncoder;
import dev.caravan.wire.PeerId;
import dev.caravan.wire.ProtocolErrorHandler;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One end of a test connection: TLS, the codec, and a handler that sends a HELLO once the handshake
 * succeeds and records what arrives.
 */
final class TlsEndpoint extends ChannelInitializer<SocketChannel> {
    final CompletableFuture<Channel> handshake = new CompletableFuture<>();
    final List<Message> received = new CopyOnWriteArrayList<>();
    final CompletableFuture<Channel> channel = new CompletableFuture<>();
    private final SslContext ssl;
    private final Hello hello;
    private final byte[] block;

    TlsEndpoint(SslContext ssl, String group) {
        this(ssl, group, null);
    }

    /** An endpoint that also sends a DATA with {@code block} after its HELLO. */
    TlsEndpoint(SslContext ssl, String group, byte[] block) {
        this.ssl = ssl;
        this.hello = new Hello(Hello.PROTOCOL_VERSION, new PeerId(new byte[16]), group, 0);
        this.block = block;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        channel.complete(ch);
        ch.pipeline().addLast(ssl.newHandler(ch.alloc()), new MessageDecoder(), MessageEncoder.INSTANCE,
                new SimpleChannelInboundHandler<Message>() {
                    @Override
                    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                        if (evt instanceof SslHandshakeCompletionEvent e) {
                            if (e.isSuccess()) {
                                handshake.complete(ctx.channel());
                                ctx.write(hello);
                                if (block != null) {
                                    ctx.write(new Data(0, 0, ctx.alloc().buffer(block.length).writeBytes(block)));
                                }
                                ctx.flush();
                            } else {
                                handshake.completeExceptionally(e.cause());
                            }
                        }
                        ctx.fireUserEventTriggered(evt);
                    }

                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, Message msg) {
                        // A DATA is released when this returns: keep an unpooled copy.
                        received.add(msg instanceof Data d ? new Data(d.chunk(), d.offset(), Unpooled.copiedBuffer(d.block())) : msg);
                    }
                },
                ProtocolErrorHandler.INSTANCE);
    }

    SslHandler sslHandler() {
        return channel.join().pipeline().get(SslHandler.class);
    }
}
