package dev.caravan.core.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ReleasePathsTest {
    @Test
    void normalRelativePathsAreValid() {
        for (String path : List.of("a", "a/b", "bin/run.sh", "docs/read me.txt", "ünïcødé/日本語/𝄞.txt", ".hidden", "a/..b/c..", "...")) {
            assertThat(ReleasePaths.requireValid(path)).isEqualTo(path);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "../etc/passwd | it has a \"..\" segment",
        "a/../../b     | it has a \"..\" segment",
        "/etc/passwd   | it is absolute",
        "a/./b         | it has a \".\" segment",
        ".             | it has a \".\" segment",
        "a//b          | it has an empty segment",
        "a/            | it has an empty segment",
        "a\\b          | it has a backslash",
        "..\\x         | it has a backslash",
    })
    void badPathsAreRefusedWithTheReason(String path, String reason) {
        assertThatThrownBy(() -> ReleasePaths.requireValid(path))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bad release path \"" + path + "\": " + reason);
    }

    @Test
    void emptyNulAndControlCharactersAreRefused() {
        assertThatThrownBy(() -> ReleasePaths.requireValid("")).hasMessage("bad release path \"\": it is empty");
        assertThatThrownBy(() -> ReleasePaths.requireValid("a\0b")).hasMessage("bad release path \"a\\u0000b\": it has a control character");
        assertThatThrownBy(() -> ReleasePaths.requireValid("a\nb")).hasMessageContaining("control character");
        assertThatThrownBy(() -> ReleasePaths.requireValid("a\ud800b")).hasMessageContaining("unpaired UTF-16 surrogate");
    }

    @Test
    void longPathsAndSegmentsAreRefused() {
        assertThatThrownBy(() -> ReleasePaths.requireValid("x".repeat(256))).hasMessageContaining("a segment is longer than 255 bytes");
        assertThatThrownBy(() -> ReleasePaths.requireValid("abcdefgh/".repeat(500) + "x")).hasMessageContaining("longer than 4096 bytes");
        assertThat(ReleasePaths.requireValid("x".repeat(255))).hasSize(255);
    }

    @Test
    void duplicatesAndFilesThatAreAlsoFoldersAreRefused() {
        assertThatThrownBy(() -> ReleasePaths.requireDistinct(List.of("a/b", "c", "a/b")))
                .hasMessage("bad release path \"a/b\": it appears twice");
        assertThatThrownBy(() -> ReleasePaths.requireDistinct(List.of("a", "a/b")))
                .hasMessage("bad release path \"a\": it is a file and also the folder of \"a/b\"");
        assertThatThrownBy(() -> ReleasePaths.requireDistinct(List.of("x/y/z/w", "x/y")))
                .hasMessageContaining("\"x/y\": it is a file and also the folder of \"x/y/z/w\"");
        ReleasePaths.requireDistinct(List.of("a/b", "a/c", "ab", "A/b", "a.b/c"));
    }

    @Test
    void namesThatDifferOnlyInUnicodeNormalizationAreRefused() {
        String composed = "caf\u00e9";    // é as one code point (NFC)
        String decomposed = "cafe\u0301"; // e + combining acute accent (NFD): looks the same
        assertThatThrownBy(() -> ReleasePaths.requireDistinct(List.of(decomposed, composed)))
                .hasMessage("bad release path \"" + composed + "\": it is the same name as \"" + decomposed
                        + "\" once Unicode-normalized (NFC)");
        assertThatThrownBy(() -> ReleasePaths.requireDistinct(List.of(decomposed + "/a", composed + "/b")))
                .as("two folders").hasMessageContaining("\"" + composed + "\": it is the same name as");
        assertThatThrownBy(() -> ReleasePaths.requireDistinct(List.of("K", "\u212a")))
                .as("KELVIN SIGN normalizes to an ASCII K").hasMessageContaining("is the same name as \"K\"");
        ReleasePaths.requireDistinct(List.of(composed, composed + "s/" + decomposed, "x/" + decomposed, "Caf\u00e9"));
    }

    @Test
    void resolveStaysInsideTheRoot() {
        Path root = Path.of("/srv/release");
        assertThat(ReleasePaths.resolve(root, "a/b")).isEqualTo(Path.of("/srv/release/a/b"));
        assertThatThrownBy(() -> ReleasePaths.resolve(root, "../x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theReleaseOrderIsByCodePoint() {
        List<String> paths = new java.util.ArrayList<>(List.of("b", "a/b", "a", "\ufffd", "\ud834\udd1e", "a-b", "A"));
        paths.sort(ReleasePaths.ORDER);
        assertThat(paths).containsExactly("A", "a", "a-b", "a/b", "b", "\ufffd", "\ud834\udd1e");
    }
}
