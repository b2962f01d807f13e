package dev.caravan.origin.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class RequestPathTest {

    @Test
    void decodesSegments() throws Exception {
        assertThat(RequestPath.parse("/chunks/ab/a%20b").segments()).containsExactly("chunks", "ab", "a b");
        assertThat(RequestPath.parse("/").segments()).isEmpty();
        assertThat(RequestPath.parse("/metadata/").segments()).containsExactly("metadata", "");
        assertThat(RequestPath.parse("/t/%C3%A9t%C3%A9").segments()).containsExactly("t", "été");
        assertThat(RequestPath.parse("HTTPS://h:8443/a?b=/../c").segments()).containsExactly("a");
        assertThat(RequestPath.parse("http://h").segments()).isEmpty();
    }

    @Test
    void refusesWhatCouldMeanAnotherPath() {
        for (String target : List.of("/..", "/a/./b", "/%2e", "/a%2fb", "/a%5Cb", "/a\\b", "/a%00", "/a%0a", "/%ff",
                "/a#b", "/a b", "ftp://h/a", "//h/a/%2e%2e", "http://u@h/a", "http:///a", "a", "")) {
            assertThatThrownBy(() -> RequestPath.parse(target)).as(target).isInstanceOf(RequestPath.BadPathException.class);
        }
    }

    /** Whatever the request-target, an accepted path joined under a root stays under it. */
    @Property(tries = 2000)
    void neverLeavesTheRoot(@ForAll("targets") String target) {
        RequestPath path;
        try {
            path = RequestPath.parse(target);
        } catch (RequestPath.BadPathException e) {
            return;
        }
        Path root = Path.of("/srv/repo");
        Path joined = root;
        for (String segment : path.segments()) {
            assertThat(segment).isNotIn(".", "..").doesNotContain("/", "\\", "\0");
            joined = joined.resolve(segment);
        }
        assertThat(joined.normalize()).startsWithRaw(root);
    }

    @Provide
    Arbitrary<String> targets() {
        Arbitrary<String> piece = Arbitraries.of("/", "..", ".", "%2e", "%2E", "%2f", "%5c", "%00", "%", "a", "b.json",
                "\\", "?", "#", "%c0%ae", "%25", "http://h", "//");
        return piece.list().ofMaxSize(8).map(pieces -> "/" + String.join("", pieces));
    }
}
