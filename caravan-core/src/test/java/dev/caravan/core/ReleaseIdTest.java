package dev.caravan.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReleaseIdTest {
    @Test
    void versionsSortAsPeopleReadThem() {
        List<String> versions = new ArrayList<>(List.of("1.10", "1.2.1", "1.2", "0.9", "1.0.rc1", "1.0.1", "2"));
        versions.sort(ReleaseId.VERSION_ORDER);
        assertThat(versions).containsExactly("0.9", "1.0.rc1", "1.0.1", "1.2", "1.2.1", "1.10", "2");
    }

    @Test
    void badNamesAreRefusedWithTheValue() {
        assertThatThrownBy(() -> new ReleaseId("../etc", "1.0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad product name \"../etc\"");
        assertThatThrownBy(() -> new ReleaseId("app", "1.0/../x"))
                .hasMessageContaining("bad version name \"1.0/../x\"");
        assertThatThrownBy(() -> ReleaseId.requireChannel("Stable Channel"))
                .hasMessageContaining("bad channel name");
    }

    @Test
    void manifestTargetNameCombinesProductAndVersion() {
        assertThat(new ReleaseId("app", "1.2.0").manifestTargetName()).isEqualTo("app-1.2.0.manifest.json");
    }
}
