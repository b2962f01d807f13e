package dev.caravan.tuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.caravan.testkit.MutableClock;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Metadata written by other TUF implementations verifies here: same canonical JSON, keyids and
 * signature encodings (see src/test/resources/interop/ for where each file comes from).
 */
class InteropTest {
    @TempDir
    Path tmp;

    @Test
    void aRepositoryWrittenByPythonTufRefreshes() throws Exception {
        Path meta = tmp.resolve("repo/metadata");
        Files.createDirectories(meta);
        for (String f : new String[] {"1.root.json", "timestamp.json", "1.snapshot.json", "1.targets.json"}) {
            Files.write(meta.resolve(f), resource("interop/python-tuf-v3.0.0/metadata/" + f));
        }
        Path clientDir = tmp.resolve("client");
        TufClient.init(clientDir, Files.readAllBytes(meta.resolve("1.root.json")));
        TufClient client = new TufClient(clientDir, new FileFetcher(), meta.toUri().toString(),
                new MutableClock(Instant.parse("2026-01-01T00:00:00Z")), TufClientConfig.defaults());
        client.refresh();

        assertThat(client.getTargetInfo("dir/file2.txt").length()).isEqualTo(9);
        assertThat(client.getTargetInfo("file1.txt").sha256())
                .isEqualTo("55ae75d991c770d8f3ef07cbfde124ffce9c420da5db6203afab700b27e10cf9");
        assertThat(Files.readAllBytes(clientDir.resolve("targets.json"))).isEqualTo(Files.readAllBytes(meta.resolve("1.targets.json")));
    }

    @Test
    void sigstoresEcdsaRootVerifiesWithItsUnknownFields() throws Exception {
        byte[] root = resource("interop/sigstore/10.root.json");
        TrustedMetadata trusted = new TrustedMetadata(Instant.parse("2025-01-01T00:00:00Z"), root);
        assertThat(trusted.root().version()).isEqualTo(10);
        assertThat(trusted.root().keys().values()).allMatch(k -> k.type() == KeyType.ECDSA_P256);

        Envelope env = Envelope.parse("10.root.json", root);
        RoleKeys all = new RoleKeys(trusted.root().role(Role.ROOT).keyids(), 5);
        assertThatThrownBy(() -> env.verify("root", trusted.root().keys(), all))
                .hasMessage("10.root.json has 4 valid signatures from the root role's keys, 5 required (threshold)");
        TufClient.init(tmp.resolve("sigstore"), root);   // expiry does not matter for the initial root (5.2)
    }

    @Test
    void aChangedFieldBreaksTheSigstoreSignatures() throws Exception {
        byte[] root = new String(resource("interop/sigstore/10.root.json"), java.nio.charset.StandardCharsets.UTF_8)
                .replace("\"x-tuf-on-ci-signing-period\": 31", "\"x-tuf-on-ci-signing-period\": 32")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThatThrownBy(() -> new TrustedMetadata(Instant.EPOCH, root))
                .isInstanceOf(TufException.BadSignature.class)
                .hasMessage("root.json has 0 valid signatures from the root role's keys, 3 required (threshold)");
    }

    @Test
    void aLegacyPythonTufRsaPssSignatureVerifiesOverOurCanonicalJson() throws Exception {
        byte[] file = resource("interop/python-tuf-legacy/1.root.json");
        Envelope env = Envelope.parse("1.root.json", file);
        String keyid = "5602f4df0cd26b2112f0833b1ce8d5fcbb595754961d3a04f37b9815e2ced503";
        com.fasterxml.jackson.databind.JsonNode legacyKey = env.signed().at("/keys/" + keyid);
        assertThat(Key.keyidOf(legacyKey)).isEqualTo(keyid);
        com.fasterxml.jackson.databind.node.ObjectNode keyWithScheme = legacyKey.deepCopy();
        keyWithScheme.remove("keyid_hash_algorithms");
        keyWithScheme.put("scheme", "rsassa-pss-sha256");
        Key rsa = Key.parse("1.root.json", Key.keyidOf(keyWithScheme), keyWithScheme);

        assertThat(rsa.type()).isEqualTo(KeyType.RSA_PSS_SHA256);
        assertThat(rsa.verify(env.canonicalSigned(), env.signatures().get(0).sig())).isTrue();
        assertThatThrownBy(() -> RootMetadata.parse("1.root.json", env.signed()))
                .isInstanceOf(TufException.BadFormat.class)
                .hasMessage("1.root.json has _type \"Root\", expected \"root\"");
    }

    static byte[] resource(String name) throws Exception {
        try (InputStream in = InteropTest.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("no test resource " + name);
            }
            return in.readAllBytes();
        }
    }
}
