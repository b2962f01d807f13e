package dev.caravan.tuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.core.json.CanonicalJson;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

/** Signing then parsing the written file gives back the signed object and verifying signatures. */
class EnvelopePropertiesTest {
    private static final SigningKey KEY = SigningKey.generate(KeyType.ED25519);
    private static final RoleKeys ROLE = new RoleKeys(List.of(KEY.keyid()), 1);

    @Property(tries = 200)
    void signedFilesRoundTripAndVerify(@ForAll @Size(max = 5) Map<@StringLength(max = 12) String, @StringLength(max = 40) String> custom,
                                       @ForAll long number) throws Exception {
        ObjectNode signed = JsonNodeFactory.instance.objectNode().put("_type", "targets").put("n", number);
        ObjectNode c = signed.putObject("custom");
        custom.forEach(c::put);

        byte[] file = Envelope.sign(signed, List.of(KEY));
        Envelope env = Envelope.parse("t.json", file);

        assertThat(env.canonicalSigned()).isEqualTo(CanonicalJson.encode(signed));
        env.verify("targets", Map.of(KEY.keyid(), KEY.key()), ROLE);
    }

    @Property(tries = 100)
    void anyChangeToTheSignedObjectBreaksTheSignature(@ForAll @StringLength(min = 1, max = 30) String value) throws Exception {
        ObjectNode signed = JsonNodeFactory.instance.objectNode().put("_type", "targets").put("v", value);
        byte[] file = Envelope.sign(signed, List.of(KEY));
        ObjectNode changed = signed.deepCopy().put("v", value + "x");
        Envelope original = Envelope.parse("t.json", file);
        Envelope tampered = new Envelope("t.json", changed, original.signatures(), file);

        assertThatThrownBy(() -> tampered.verify("targets", Map.of(KEY.keyid(), KEY.key()), ROLE))
                .isInstanceOf(TufException.BadSignature.class);
    }
}
