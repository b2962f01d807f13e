package dev.caravan.wire;

import dev.caravan.wire.tls.TlsContexts;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.util.AttributeKey;
import java.io.IOException;
import java.util.Optional;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a peer connection on its first fault and remembers why. It is the last inbound handler
 * of a peer connection's pipeline, so that every exception the handlers before it (the
 * {@code SslHandler}, {@link MessageDecoder}, the session) do not handle ends here.
 *
 * <ul>
 *   <li>A protocol fault ({@link DecoderException} from the codec: an oversized, malformed or unknown
 *       frame) is logged at WARN with the peer's address and the reason, answered with a
 *       {@link Goodbye} ({@link Goodbye.Reason#PROTOCOL_ERROR}) and the connection is closed.</li>
 *   <li>A TLS fault (a refused certificate, a failed handshake) is logged at WARN and the connection
 *       closed without a word: the peer is not authenticated.</li>
 *   <li>An I/O fault (connection reset) is logged at DEBUG; anything else at WARN with its stack.</li>
 * </ul>
 * Only the first fault of a connection is logged and acted on; later ones (from closing it) go to
 * DEBUG. {@link #closeReason(Channel)} gives the first fault to whoever counts faults against peers.
 */
@Sharable
public final class ProtocolErrorHandler extends ChannelInboundHandlerAdapter {
    public static final ProtocolErrorHandler INSTANCE = new ProtocolErrorHandler();
    private static final Logger LOG = LoggerFactory.getLogger(ProtocolErrorHandler.class);
    private static final AttributeKey<Throwable> CLOSE_REASON =
            AttributeKey.valueOf(ProtocolErrorHandler.class, "closeReason");

    private ProtocolErrorHandler() {
    }

    /** The fault that made this handler close the channel, if it did. */
    public static Optional<Throwable> closeReason(Channel channel) {
        return Optional.ofNullable(channel.attr(CLOSE_REASON).get());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Channel ch = ctx.channel();
        if (!ch.attr(CLOSE_REASON).compareAndSet(null, cause)) {
            LOG.debug("peer {}: further fault after the first: {}", ch.remoteAddress(), cause.toString());
            return;
        }
        if (cause instanceof DecoderException && cause.getCause() instanceof SSLException tls) {
            LOG.warn("peer {}: TLS refused: {}", ch.remoteAddress(), TlsContexts.reason(tls));
            ctx.close();
        } else if (cause instanceof DecoderException) {
            LOG.warn("peer {}: protocol error, closing: {}", ch.remoteAddress(), cause.getMessage());
            ctx.writeAndFlush(Goodbye.truncating(Goodbye.Reason.PROTOCOL_ERROR, String.valueOf(cause.getMessage())))
                    .addListener(ChannelFutureListener.CLOSE);
        } else if (cause instanceof IOException || cause instanceof SSLException) {
            LOG.debug("peer {}: connection failed: {}", ch.remoteAddress(), cause.toString());
            ctx.close();
        } else {
            LOG.warn("peer {}: unexpected fault, closing", ch.remoteAddress(), cause);
            ctx.close();
        }
    }
}
