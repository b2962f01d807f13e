package dev.caravan.tuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Strict parsing of metadata, with messages naming the file and the field. */
class MetadataParsingTest {
    @TempDir
    Path tmp;
    TestRepository r;
    ObjectNode ts;

    @BeforeEach
    void setUp() {
        r = new TestRepository(tmp);
        ts = r.signed("timestamp.json");
    }

    private void refreshFailsWith(String message) {
        r.write("timestamp.json", r.signAs(Role.TIMESTAMP, ts));
        assertThatThrownBy(r.client()::refresh).isInstanceOf(TufException.BadFormat.class).hasMessage(message);
    }

    @Test
    void anUnknownType() {
        ts.put("_type", "Timestamp");
        refreshFailsWith("timestamp.json has _type \"Timestamp\", expected \"timestamp\"");
    }

    @Test
    void aMissingField() {
        ts.remove("expires");
        refreshFailsWith("timestamp.json has no \"expires\"");
    }

    @Test
    void expiresNotInTheSpecsForm() {
        ts.put("expires", "2030-01-01T00:00:00.5Z");
        refreshFailsWith("timestamp.json has expires \"2030-01-01T00:00:00.5Z\", expected the form YYYY-MM-DDTHH:MM:SSZ");
    }

    @Test
    void anImpossibleDate() {
        ts.put("expires", "2030-02-30T00:00:00Z");
        refreshFailsWith("timestamp.json has expires \"2030-02-30T00:00:00Z\" which is not a valid date-time");
    }

    @Test
    void aVersionThatIsNotAPositiveInteger() {
        ts.put("version", 0);
        refreshFailsWith("timestamp.json \"version\" must be an integer from 1 to 9223372036854775807, got 0");
    }

    @Test
    void anotherMajorSpecVersion() {
        ts.put("spec_version", "2.0.0");
        refreshFailsWith("timestamp.json has spec_version \"2.0.0\"; this client supports TUF 1.x");
    }

    @Test
    void aTimestampDescribingMoreThanTheSnapshot() {
        ((ObjectNode) ts.get("meta")).putObject("targets.json").put("version", 1);
        refreshFailsWith("timestamp.json \"meta\" must describe snapshot.json and nothing else (tuf-spec 4.6)");
    }

    @Test
    void duplicateKeysAndTrailingGarbage() {
        r.write("timestamp.json", "{\"signed\":{},\"signed\":{},\"signatures\":[]}".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(r.client()::refresh).isInstanceOf(TufException.BadFormat.class)
                .hasMessageStartingWith("timestamp.json is not valid JSON: Duplicate field 'signed'");
    }

    @Test
    void aWrongKeyidInTheRoot() throws Exception {
        ObjectNode root = r.signed("1.root.json");
        ObjectNode keys = (ObjectNode) root.get("keys");
        String id = keys.fieldNames().next();
        keys.set("ab".repeat(32), keys.remove(id));
        assertThatThrownBy(() -> RootMetadata.parse("2.root.json", root))
                .isInstanceOf(TufException.BadFormat.class)
                .hasMessage("2.root.json lists a key under keyid " + "ab".repeat(32) + " but its keyid is " + id);
    }

    @Test
    void unknownFieldsAreKeptAndCoveredBySignatures() throws Exception {
        ts.putObject("x-vendor").put("note", "clients ignore this, signatures cover it");
        byte[] file = r.signAs(Role.TIMESTAMP, ts);
        r.write("timestamp.json", file);
        r.client().refresh();
        assertThat(Files.readAllBytes(r.clientDir.resolve("timestamp.json"))).isEqualTo(file);

        ObjectNode tampered = ts.deepCopy();
        ((ObjectNode) tampered.get("x-vendor")).put("note", "changed");
        String forged = new String(file, StandardCharsets.UTF_8).replace("signatures cover it", "changed");
        r.write("timestamp.json", forged.getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(r.client()::refresh).isInstanceOf(TufException.BadSignature.class);
    }
}
