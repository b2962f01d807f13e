package dev.caravan.origin.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.caravan.tuf.RemoteFetcher;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/**
 * An exchange fed by Netty's HTTP client codec through an {@link EmbeddedChannel}, with the
 * response bytes arriving in pieces of every size: each framing gives the same body.
 */
class ExchangeTest {

    private static final String BODY = "0123456789abcdefghijklmnopqrstuvwxyz";

    @Test
    void readsEachFramingAtEveryFragmentSize() throws Exception {
        String[] responses = {
            "HTTP/1.1 200 OK\r\nContent-Length: 36\r\n\r\n" + BODY,
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n" + BODY.substring(0, 16) + "\r\n14\r\n"
                    + BODY.substring(16) + "\r\n0\r\n\r\n",
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 36\r\n\r\n" + BODY,
        };
        for (String response : responses) {
            byte[] wire = response.getBytes(StandardCharsets.ISO_8859_1);
            for (int fragment = 1; fragment <= wire.length; fragment++) {
                Exchange exchange = exchange(1024, -1, 0);
                assertThat(run(exchange, wire, fragment, false)).as("fragment %d of %s", fragment, response).isTrue();
                assertThat(new String(exchange.result.get(), StandardCharsets.UTF_8)).isEqualTo(BODY);
            }
        }
    }

    @Test
    void readsACloseDelimitedBody() throws Exception {
        byte[] wire = ("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + BODY).getBytes(StandardCharsets.ISO_8859_1);
        for (int fragment = 1; fragment <= wire.length; fragment++) {
            Exchange exchange = exchange(1024, -1, 0);
            assertThat(run(exchange, wire, fragment, true)).isTrue();
            assertThat(new String(exchange.result.get(), StandardCharsets.UTF_8)).isEqualTo(BODY);
            assertThat(exchange.keepAlive()).isFalse();
        }
    }

    @Test
    void stopsAtTheCapWhateverTheFraming() {
        byte[] chunked = ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n24\r\n" + BODY + "\r\n0\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        byte[] announced = ("HTTP/1.1 200 OK\r\nContent-Length: 36\r\n\r\n" + BODY).getBytes(StandardCharsets.ISO_8859_1);
        for (byte[] wire : new byte[][] {chunked, announced}) {
            for (int fragment = 1; fragment <= wire.length; fragment++) {
                Exchange exchange = exchange(35, -1, 0);
                assertThat(run(exchange, wire, fragment, false)).isFalse();
                assertThat(exchange.failure()).isInstanceOf(RemoteFetcher.TooLargeException.class);
            }
        }
    }

    @Test
    void checksTheContentRangeOfAPartialResponse() throws Exception {
        String head = "HTTP/1.1 206 Partial Content\r\nContent-Length: 4\r\nContent-Range: ";
        Exchange good = exchange(0, 10, 4);
        assertThat(run(good, (head + "bytes 10-13/100\r\n\r\nabcd").getBytes(StandardCharsets.ISO_8859_1), 7, false)).isTrue();
        assertThat(good.result.get()).asString().isEqualTo("abcd");
        Exchange shifted = exchange(0, 10, 4);
        assertThat(run(shifted, (head + "bytes 11-14/100\r\n\r\nabcd").getBytes(StandardCharsets.ISO_8859_1), 7, false)).isFalse();
        assertThat(shifted.failure()).hasMessageContaining("Content-Range: bytes 11-14/100");
        Exchange whole = exchange(0, 10, 4);
        assertThat(run(whole, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nabcd".getBytes(StandardCharsets.ISO_8859_1), 7,
                false)).isFalse();
        assertThat(whole.failure()).hasMessageContaining("ignored the byte range");
    }

    @Test
    void failsOnOtherStatusesNamingThem() {
        Exchange exchange = exchange(1024, -1, 0);
        assertThat(run(exchange, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy"
                .getBytes(StandardCharsets.ISO_8859_1), 3, false)).isTrue();
        assertThatThrownBy(exchange.result::get).isInstanceOf(ExecutionException.class)
                .hasMessageContaining("503")
                .hasMessageContaining("http://origin.test/metadata/timestamp.json");
    }

    private static Exchange exchange(long maxBytes, long rangeFirst, long rangeLength) {
        try {
            return new Exchange(OriginUrl.parse("http://origin.test/metadata/timestamp.json"), maxBytes, rangeFirst,
                    rangeLength, true, Runnable::run);
        } catch (java.net.MalformedURLException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Sends the exchange's request through a client codec, feeds {@code wire} back in
     * {@code fragment}-byte pieces, and plays the exchange as ResponseHandler does. Returns
     * false if the exchange stopped early (the handler would close the connection).
     */
    private static boolean run(Exchange exchange, byte[] wire, int fragment, boolean closeAtEnd) {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpClientCodec());
        HttpRequest request = exchange.beginAttempt();
        channel.writeOutbound(request);
        ReferenceCountUtil.release(channel.readOutbound());
        Exchange.Next mode = null;
        boolean ended = false;
        try {
            for (int offset = 0; offset < wire.length && !ended; offset += fragment) {
                channel.writeInbound(Unpooled.wrappedBuffer(wire, offset, Math.min(fragment, wire.length - offset)));
                if (offset + fragment >= wire.length && closeAtEnd) {
                    channel.finish();
                }
                HttpObject object;
                while ((object = channel.readInbound()) != null) {
                    try {
                        assertThat(object.decoderResult().isSuccess()).isTrue();
                        if (object instanceof HttpResponse response) {
                            mode = exchange.onHeaders(response);
                            if (mode == Exchange.Next.ABORT) {
                                return false;
                            }
                        }
                        if (object instanceof HttpContent content) {
                            ByteBuf buf = content.content();
                            if (!exchange.onContent(buf, mode)) {
                                return false;
                            }
                            if (object instanceof LastHttpContent && !exchange.endOfInformational()) {
                                exchange.finish();
                                ended = true;
                            }
                        }
                    } finally {
                        ReferenceCountUtil.release(object);
                    }
                }
            }
            return ended;
        } finally {
            channel.finishAndReleaseAll();
        }
    }
}
