package dev.caravan.agent;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReleaseGetterTest {
    @Test
    void oneOriginSpelledDifferentlyKeepsOneTrustFolder() {
        String key = ReleaseGetter.originKey("http://origin.example:8080");
        assertThat(ReleaseGetter.originKey("HTTP://Origin.Example:8080/")).isEqualTo(key);
        assertThat(ReleaseGetter.originKey("http://origin.example")).isEqualTo(ReleaseGetter.originKey("http://origin.example:80/"));
        assertThat(ReleaseGetter.originKey("https://origin.example:8080")).isNotEqualTo(key);
        assertThat(ReleaseGetter.originKey("http://origin.example:8080/other-repo")).isNotEqualTo(key);
    }
}
