package dev.caravan.core.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Known answers for the OLPC canonical JSON that TUF signs, worked out from the dialect's rules
 * (securesystemslib's {@code encode_canonical}): no white space, keys sorted by code point, only
 * {@code "} and {@code \} escaped, everything else (newlines, non-ASCII) written raw as UTF-8.
 */
class CanonicalJsonTest {
    private static byte[] canonical(String json) throws IOException {
        return CanonicalJson.encode(CanonicalJson.parse(json.getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void keysAreSortedAndWhiteSpaceDropped() throws IOException {
        assertThat(canonical("{ \"b\": 1, \"a\": 2, \"c\": {\"z\": [1, 2, {\"y\": null, \"x\": true}], \"a\": false} }"))
                .isEqualTo(utf8("{\"a\":2,\"b\":1,\"c\":{\"a\":false,\"z\":[1,2,{\"x\":true,\"y\":null}]}}"));
    }

    @Test
    void emptyContainers() throws IOException {
        assertThat(canonical("{\"a\": [], \"b\": {}, \"c\": \"\"}")).isEqualTo(utf8("{\"a\":[],\"b\":{},\"c\":\"\"}"));
    }

    @Test
    void onlyQuoteAndBackslashAreEscaped() throws IOException {
        // JSON text: {"s": "say \"hi\" \\ bye"}
        assertThat(canonical("{\"s\": \"say \\\"hi\\\" \\\\ bye\"}"))
                .isEqualTo(new byte[] {'{', '"', 's', '"', ':', '"', 's', 'a', 'y', ' ', '\\', '"', 'h', 'i', '\\', '"', ' ',
                    '\\', '\\', ' ', 'b', 'y', 'e', '"', '}'});
    }

    @Test
    void escapesAtTheEdgesAndSideBySide() throws IOException {
        // JSON text: ["\"\\\"x\\"], the string "\"x\ (quote, backslash, quote, x, backslash)
        assertThat(canonical("[\"\\\"\\\\\\\"x\\\\\"]"))
                .isEqualTo(new byte[] {'[', '"', '\\', '"', '\\', '\\', '\\', '"', 'x', '\\', '\\', '"', ']'});
    }

    @Test
    void aNewlineAndATabAreWrittenRaw() throws IOException {
        // JSON text: ["line1\nline2\tend"]
        assertThat(canonical("[\"line1\\nline2\\tend\"]"))
                .isEqualTo(new byte[] {'[', '"', 'l', 'i', 'n', 'e', '1', 0x0a, 'l', 'i', 'n', 'e', '2', 0x09, 'e', 'n', 'd', '"', ']'});
    }

    @Test
    void nonAsciiTextIsRawUtf8() throws IOException {
        // JSON text: ["caf\u00e9 \u2615 \ud834\udd1e"] - é, a hot beverage and a G clef (outside the BMP)
        assertThat(canonical("[\"caf\\u00e9 \\u2615 \\ud834\\udd1e\"]"))
                .isEqualTo(new byte[] {'[', '"', 'c', 'a', 'f', (byte) 0xc3, (byte) 0xa9, ' ',
                    (byte) 0xe2, (byte) 0x98, (byte) 0x95, ' ',
                    (byte) 0xf0, (byte) 0x9d, (byte) 0x84, (byte) 0x9e, '"', ']'});
    }

    @Test
    void keysSortByCodePointNotUtf16() throws IOException {
        // U+FFFD sorts before U+1D11E by code point, although its UTF-16 unit (0xFFFD) is above the surrogate 0xD834.
        assertThat(canonical("{\"\\ud834\\udd1e\": 2, \"\\ufffd\": 1, \"z\": 0, \"\\u00e9\": 3}"))
                .isEqualTo(utf8("{\"z\":0,\"\u00e9\":3,\"\ufffd\":1,\"\ud834\udd1e\":2}"));
    }

    @Test
    void integersAreExactHoweverLarge() throws IOException {
        assertThat(canonical("[0, -5, 9223372036854775807, 9223372036854775808, -9223372036854775808, -9223372036854775809, "
                + "12345678901234567890123456789, -98765432109876543210]"))
                .isEqualTo(utf8("[0,-5,9223372036854775807,9223372036854775808,-9223372036854775808,-9223372036854775809,"
                + "12345678901234567890123456789,-98765432109876543210]"));
    }

    @Test
    void floatingPointNumbersAreRefused() throws IOException {
        assertThatThrownBy(() -> canonical("{\"x\": 1.5}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no floating point")
                .hasMessageContaining("1.5");
        assertThatThrownBy(() -> canonical("[1e3]")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void trailingContentIsRefusedWhenParsing() {
        assertThatThrownBy(() -> canonical("{\"a\": 1} {\"b\": 2}")).isInstanceOf(IOException.class).hasMessageContaining("Trailing");
    }

    @Test
    void duplicateKeysAreRefusedWhenParsing() {
        assertThatThrownBy(() -> canonical("{\"a\": 1, \"a\": 2}")).isInstanceOf(IOException.class).hasMessageContaining("a");
    }
}
