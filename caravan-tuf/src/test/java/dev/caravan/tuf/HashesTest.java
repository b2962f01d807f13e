package dev.caravan.tuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HashesTest {
    private static final byte[] DATA = "abc".getBytes(StandardCharsets.UTF_8);
    private static final String SHA256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    private static final String SHA512 = "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            + "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";

    @Test
    void everyListedSha256AndSha512HashIsChecked() {
        assertThatCode(() -> Hashes.check("target abc", Map.of("sha256", SHA256, "sha512", SHA512), DATA))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> Hashes.check("target abc", Map.of("sha256", SHA256, "sha512", "00" + SHA512.substring(2)), DATA))
                .isInstanceOf(TufException.BadHash.class)
                .hasMessage("target abc has sha512 " + SHA512 + ", expected 00" + SHA512.substring(2));
    }

    @Test
    void unknownAlgorithmsAloneAreNotEnough() {
        assertThatCode(() -> Hashes.check("t", Map.of("sha256", SHA256, "blake3", "zz"), DATA)).doesNotThrowAnyException();
        assertThatThrownBy(() -> Hashes.check("t", Map.of("md5", "900150983cd24fb0d6963f7d28e17f72"), DATA))
                .hasMessage("t lists no sha256 or sha512 hash to check it by");
    }

    @Test
    void consistentSnapshotTargetPathsPrefixTheFileName() {
        assertThat(TufClient.targetPath("app-1.0.manifest.json", "ab")).isEqualTo("ab.app-1.0.manifest.json");
        assertThat(TufClient.targetPath("dir/file 2.txt", "ab")).isEqualTo("dir/ab.file%202.txt");
        assertThat(TufClient.targetPath("dir/file2.txt", null)).isEqualTo("dir/file2.txt");
    }
}
