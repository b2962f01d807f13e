package dev.caravan.core.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of {@link Manifest#parse}: whatever the bytes, it returns a valid
 * manifest or throws a {@link ManifestException} with a message; never another exception or
 * error. A manifest it returns survives the canonical JSON round trip unchanged.
 *
 * <p>The normal test run replays the seed corpus in {@code ManifestFuzzTestInputs/parse} (real
 * manifests, and every input that once failed); {@code -Pfuzz} fuzzes it (docs/benchmarks.md).
 */
class ManifestFuzzTest {
    @FuzzTest(maxDuration = "150s")
    void parse(byte[] input) {
        Manifest manifest;
        try {
            manifest = Manifest.parse(input);
        } catch (ManifestException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        byte[] canonical = manifest.toCanonicalJson();
        Manifest again;
        try {
            again = Manifest.parse(canonical);
        } catch (ManifestException e) {
            throw new AssertionError("a manifest's own canonical JSON does not parse: " + e.getMessage(), e);
        }
        assertThat(again).isEqualTo(manifest);
        assertThat(again.toCanonicalJson()).isEqualTo(canonical);
    }
}
