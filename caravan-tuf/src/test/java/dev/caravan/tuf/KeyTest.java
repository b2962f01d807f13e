package dev.caravan.tuf;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class KeyTest {
    private static final byte[] MESSAGE = "{\"_type\":\"timestamp\"}".getBytes(StandardCharsets.UTF_8);

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void eachSchemeSignsAndVerifies(KeyType type) throws Exception {
        SigningKey k = SigningKey.generate(type);
        byte[] sig = k.sign(MESSAGE);

        Key parsed = Key.parse("test", k.keyid(), k.key().json());
        assertThat(parsed.verify(MESSAGE, sig)).isTrue();
        assertThat(parsed.verify("{\"_type\":\"timestamP\"}".getBytes(StandardCharsets.UTF_8), sig)).isFalse();
        assertThat(parsed.verify(MESSAGE, new byte[0])).isFalse();
        assertThat(parsed.keyid()).isEqualTo(Key.keyidOf(k.key().json())).hasSize(64);
    }

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void keyFilesRoundTripAndNeverShowThePrivateKey(KeyType type) throws Exception {
        SigningKey k = SigningKey.generate(type);
        String pem = k.toPem();
        SigningKey back = SigningKey.fromPem("k.pem", pem.getBytes(StandardCharsets.US_ASCII));

        assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----\n").contains("-----BEGIN PUBLIC KEY-----");
        assertThat(back.keyid()).isEqualTo(k.keyid());
        assertThat(back.key().verify(MESSAGE, k.sign(MESSAGE))).isTrue();
        assertThat(k.toString()).isEqualTo("SigningKey[" + type + " " + k.keyid() + "]");
    }

    @Test
    void ed25519PublicKeysAreHexAndOthersPem() {
        assertThat(SigningKey.generate(KeyType.ED25519).key().json().at("/keyval/public").asText()).matches("[0-9a-f]{64}");
        assertThat(SigningKey.generate(KeyType.ECDSA_P256).key().json().at("/keyval/public").asText())
                .startsWith("-----BEGIN PUBLIC KEY-----\n").endsWith("-----END PUBLIC KEY-----\n");
    }

    @Test
    void rsaPssWithTheMaximumSaltVerifiesToo() throws Exception {
        SigningKey k = SigningKey.generate(KeyType.RSA_PSS_SHA256);
        int emLen = (((RSAPublicKey) k.key().publicKey()).getModulus().bitLength() - 1 + 7) / 8;
        Signature s = Signature.getInstance("RSASSA-PSS");
        s.setParameter(Key.pssParameters(emLen - 32 - 2));
        s.initSign(k.privateKey());
        s.update(MESSAGE);
        assertThat(k.key().verify(MESSAGE, s.sign())).isTrue();
    }

    @Test
    void ecdsaRawSignaturesVerifyToo() throws Exception {
        SigningKey k = SigningKey.generate(KeyType.ECDSA_P256);
        Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
        s.initSign(k.privateKey());
        s.update(MESSAGE);
        assertThat(k.key().verify(MESSAGE, s.sign())).isTrue();
    }

    @Test
    void anUnsupportedKeyTypeParsesButVerifiesNothing() throws Exception {
        var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                "{\"keytype\":\"sphincs\",\"scheme\":\"sphincs-shake\",\"keyval\":{\"public\":\"00\"}}");
        Key k = Key.parse("test", Key.keyidOf(node), node);
        assertThat(k.verify(MESSAGE, new byte[64])).isFalse();
    }
}
