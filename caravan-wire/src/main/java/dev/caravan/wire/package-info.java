/**
 * The Caravan peer wire protocol ({@code docs/protocol.md}): the sealed {@link dev.caravan.wire.Message}
 * with one record per message, and the Netty codec that frames them.
 *
 * <p>A peer connection's pipeline: {@code SslHandler} (from {@link dev.caravan.wire.tls.TlsContexts}),
 * {@link dev.caravan.wire.MessageDecoder}, {@link dev.caravan.wire.MessageEncoder}, the session's
 * handlers, then {@link dev.caravan.wire.ProtocolErrorHandler} last.
 */
package dev.caravan.wire;
