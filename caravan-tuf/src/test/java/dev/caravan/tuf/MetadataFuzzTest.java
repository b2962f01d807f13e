package dev.caravan.tuf;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of the TUF metadata parsers: {@link Envelope#parse}, then the role
 * parser its {@code _type} names ({@link RootMetadata}, {@link TargetsMetadata} with its
 * delegations, {@link SnapshotMetadata}, {@link TimestampMetadata}) and, for a root, the check of
 * its own signatures. Whatever the bytes, each step gives a value or a {@link TufException} with
 * a message; never another exception or error.
 *
 * <p>The normal test run replays the seed corpus in {@code MetadataFuzzTestInputs/parse} (metadata
 * written by this repository's writer and by python-tuf and sigstore, and every input that once
 * failed); {@code -Pfuzz} fuzzes it (docs/benchmarks.md).
 */
class MetadataFuzzTest {
    @FuzzTest(maxDuration = "150s")
    void parse(byte[] input) {
        try {
            Envelope envelope = Envelope.parse("fuzz.json", input);
            // What signatures cover. No parse-back round trip here: OLPC canonical JSON writes control
            // characters raw (a PEM key's newlines), so it is not always JSON.
            byte[] canonical = envelope.canonicalSigned();
            assertThat(envelope.canonicalSigned()).isEqualTo(canonical);
            switch (envelope.type()) {
                case "root" -> {
                    RootMetadata root = RootMetadata.parse("fuzz.json", envelope.signed());
                    root.verify(Role.ROOT, envelope);
                }
                case "targets" -> TargetsMetadata.parse("fuzz.json", envelope.signed());
                case "snapshot" -> SnapshotMetadata.parse("fuzz.json", envelope.signed());
                case "timestamp" -> TimestampMetadata.parse("fuzz.json", envelope.signed());
                default -> {
                    // an unknown _type: every role parser must refuse it with a BadFormat
                    for (Role role : Role.values()) {
                        assertRefused(role, envelope);
                    }
                }
            }
        } catch (TufException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    private static void assertRefused(Role role, Envelope envelope) {
        try {
            switch (role) {
                case ROOT -> RootMetadata.parse("fuzz.json", envelope.signed());
                case TARGETS -> TargetsMetadata.parse("fuzz.json", envelope.signed());
                case SNAPSHOT -> SnapshotMetadata.parse("fuzz.json", envelope.signed());
                case TIMESTAMP -> TimestampMetadata.parse("fuzz.json", envelope.signed());
            }
        } catch (TufException.BadFormat e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        throw new AssertionError(role + " parser accepted _type \"" + envelope.type() + "\"");
    }
}
