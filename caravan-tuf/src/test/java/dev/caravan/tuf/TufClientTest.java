package dev.caravan.tuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.caravan.testkit.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TufClientTest {
    @TempDir
    Path tmp;

    @Test
    void refreshFindsAndDownloadsAPublishedTarget() throws Exception {
        TestRepository r = new TestRepository(tmp);
        r.publish("app-1.0.manifest.json", "{\"files\":[]}", "stable");
        TufClient client = r.client();
        client.refresh();

        TargetInfo info = client.getTargetInfo("app-1.0.manifest.json");
        assertThat(info.length()).isEqualTo(12);
        assertThat(info.custom().get("channel").asText()).isEqualTo("stable");
        assertThat(client.targets()).extracting(TargetInfo::name).containsExactly("app-1.0.manifest.json");
        assertThat(new String(client.downloadTarget(info, r.targetsUrl()), StandardCharsets.UTF_8)).isEqualTo("{\"files\":[]}");
    }

    @Test
    void theMetadataFolderHoldsExactlyTheBytesReceived() throws Exception {
        TestRepository r = new TestRepository(tmp);
        r.publish("a.json", "a", "stable");
        r.writer.rotate(r.keys, r.repo, Role.ROOT);
        r.client().refresh();

        assertThat(Files.readAllBytes(r.clientDir.resolve("root.json"))).isEqualTo(r.read("2.root.json"));
        assertThat(Files.readAllBytes(r.clientDir.resolve("timestamp.json"))).isEqualTo(r.read("timestamp.json"));
        assertThat(Files.readAllBytes(r.clientDir.resolve("snapshot.json"))).isEqualTo(r.read("2.snapshot.json"));
        assertThat(Files.readAllBytes(r.clientDir.resolve("targets.json"))).isEqualTo(r.read("2.targets.json"));
    }

    @Test
    void aSecondRefreshSeesNewTargetsAndAnUnchangedRepositoryIsFine() throws Exception {
        TestRepository r = new TestRepository(tmp);
        r.publish("a.json", "a", "stable");
        TufClient client = r.client();
        client.refresh();
        client.refresh();
        r.publish("b.json", "b", "stable");
        client.refresh();

        assertThat(client.targets()).extracting(TargetInfo::name).containsExactly("a.json", "b.json");
        assertThatThrownBy(() -> client.getTargetInfo("c.json"))
                .isInstanceOf(TufException.TargetNotFound.class)
                .hasMessage("no trusted targets metadata describes the target c.json");
    }

    @Test
    void initChecksTheRootIsSelfSignedAndRefusesToReplaceATrustedRoot() throws Exception {
        TestRepository r = new TestRepository(tmp);
        byte[] root = r.read("1.root.json");
        assertThatThrownBy(() -> TufClient.init(r.clientDir, root)).hasMessageContaining("already trusts a root");

        var signed = r.signed("1.root.json");
        signed.put("version", 7);
        byte[] forged = Envelope.sign(signed, r.keysOf(Role.TARGETS));
        assertThatThrownBy(() -> TufClient.init(tmp.resolve("other"), forged))
                .isInstanceOf(TufException.BadSignature.class)
                .hasMessage("root.json has 0 valid signatures from the root role's keys, 1 required (threshold)");
    }

    @Test
    void refreshWithoutATrustedRootSaysSo() {
        TufClient client = new TufClient(tmp.resolve("empty"), new FileFetcher(), "file:///nowhere", new MutableClock(
                TestRepository.START), TufClientConfig.defaults());
        assertThatThrownBy(client::refresh).hasMessageContaining("has no root.json");
        assertThatThrownBy(client::targets).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void ecdsaKeysSignAndVerifyEndToEnd() throws Exception {
        endToEnd(KeyType.ECDSA_P256, "ecdsa", "ecdsa-sha2-nistp256");
    }

    @Test
    void rsaPssKeysSignAndVerifyEndToEnd() throws Exception {
        endToEnd(KeyType.RSA_PSS_SHA256, "rsa", "rsassa-pss-sha256");
    }

    private void endToEnd(KeyType type, String keytype, String scheme) throws Exception {
        TestRepository r = new TestRepository(tmp, RepositoryConfig.defaults().withKeyType(type), 2);
        r.publish("a.json", "content", "stable");
        r.writer.rotate(r.keys, r.repo, Role.ROOT);
        TufClient client = r.client();
        client.refresh();

        assertThat(client.rootVersion()).isEqualTo(2);
        assertThat(client.downloadTarget(client.getTargetInfo("a.json"), r.targetsUrl())).asString().isEqualTo("content");
        var key = r.signed("2.root.json").get("keys").elements().next();
        assertThat(key.get("keytype").asText()).isEqualTo(keytype);
        assertThat(key.get("scheme").asText()).isEqualTo(scheme);
        assertThat(key.at("/keyval/public").asText()).startsWith("-----BEGIN PUBLIC KEY-----");
    }
}
