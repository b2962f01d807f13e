package dev.caravan.tuf;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** PATHPATTERN matching, with the examples of tuf-spec 4.5. */
class DelegatedRoleTest {

    @Test
    void theSpecsExamples() {
        assertThat(DelegatedRole.matches("targets/*.tgz", "targets/foo.tgz")).isTrue();
        assertThat(DelegatedRole.matches("targets/*.tgz", "targets/bar.tgz")).isTrue();
        assertThat(DelegatedRole.matches("targets/*.tgz", "targets/foo.txt")).isFalse();
        assertThat(DelegatedRole.matches("foo-version-?.tgz", "foo-version-2.tgz")).isTrue();
        assertThat(DelegatedRole.matches("foo-version-?.tgz", "foo-version-a.tgz")).isTrue();
        assertThat(DelegatedRole.matches("foo-version-?.tgz", "foo-version-alpha.tgz")).isFalse();
        assertThat(DelegatedRole.matches("*.tgz", "foo.tgz")).isTrue();
        assertThat(DelegatedRole.matches("*.tgz", "targets/foo.tgz")).isFalse();
        assertThat(DelegatedRole.matches("foo.tgz", "foo.tgz")).isTrue();
        assertThat(DelegatedRole.matches("foo.tgz", "foo.tgZ")).isFalse();
    }

    @Test
    void setsAndLiteralRegexCharacters() {
        assertThat(DelegatedRole.matches("app-[0-9].json", "app-7.json")).isTrue();
        assertThat(DelegatedRole.matches("app-[!0-9].json", "app-7.json")).isFalse();
        assertThat(DelegatedRole.matches("a+b.(x)", "a+b.(x)")).isTrue();
        assertThat(DelegatedRole.matches("a.b", "axb")).isFalse();
        assertThat(DelegatedRole.matches("*", "a/b")).isFalse();
    }
}
