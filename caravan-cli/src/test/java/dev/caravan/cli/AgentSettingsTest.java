package dev.caravan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.agent.Agent;
import dev.caravan.agent.config.AgentConfig;
import dev.caravan.agent.config.AgentConfigLoader;
import dev.caravan.wire.PeerId;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every config key lands where the engine reads it. */
class AgentSettingsTest {
    private static final PeerId PEER = PeerId.random(new SecureRandom());

    private static AgentConfig config(Map<String, String> more) {
        Map<String, String> settings = new HashMap<>(Map.of(
                "tracker.url", "https://tracker.example:7443",
                "origin.url", "https://origin.example/caravan",
                "trust.root", "/etc/caravan/1.root.json",
                "tls.certificate", "/etc/caravan/pc7.crt",
                "tls.key", "/etc/caravan/pc7.key",
                "tls.ca", "/etc/caravan/ca.crt",
                "follow.product", "myapp",
                "follow.install_dir", "/opt/myapp",
                "cache.dir", "/var/cache/caravan"));
        settings.putAll(more);
        return AgentConfigLoader.fromSettings(settings);
    }

    @Test
    void everyKeyLandsInTheAgentsSettings() {
        AgentConfig config = config(Map.ofEntries(
                Map.entry("origin.ca", "/etc/caravan/origin-ca.pem"),
                Map.entry("origin.connections", "8"),
                Map.entry("origin.fallback_delay", "90s"),
                Map.entry("peer.listen", "10.1.2.3:7000"),
                Map.entry("peer.group", "branch-12"),
                Map.entry("limits.upload_rate", "10MB"),
                Map.entry("limits.download_rate", "20MB"),
                Map.entry("limits.upload_slots", "6"),
                Map.entry("limits.max_peers", "30"),
                Map.entry("follow.channel", "beta"),
                Map.entry("follow.keep_versions", "3"),
                Map.entry("follow.poll_interval", "5m")));
        byte[] root = {1, 2, 3};

        Agent.Settings s = AgentSettings.of(config, "pc7", PEER, root);

        assertThat(s.name()).isEqualTo("pc7");
        assertThat(s.trackerHost()).isEqualTo("tracker.example");
        assertThat(s.trackerPort()).isEqualTo(7443);
        assertThat(s.originUrl()).isEqualTo("https://origin.example/caravan");
        assertThat(s.origin().maxConnectionsPerHost()).isEqualTo(8);
        assertThat(s.origin().trustedCaPem()).isEqualTo(Path.of("/etc/caravan/origin-ca.pem"));
        assertThat(s.trustedRoot()).isEqualTo(root);
        assertThat(s.peer().peerId()).isEqualTo(PEER);
        assertThat(s.peer().group()).isEqualTo("branch-12");
        assertThat(s.peer().tls().certificate()).isEqualTo(Path.of("/etc/caravan/pc7.crt"));
        assertThat(s.peer().tls().privateKey()).isEqualTo(Path.of("/etc/caravan/pc7.key"));
        assertThat(s.peer().tls().ca()).isEqualTo(Path.of("/etc/caravan/ca.crt"));
        assertThat(s.peer().listenHost()).isEqualTo("10.1.2.3");
        assertThat(s.peer().listenPort()).isEqualTo(7000);
        assertThat(s.peer().uploadRateBytesPerSecond()).isEqualTo(10_000_000);
        assertThat(s.peer().downloadRateBytesPerSecond()).isEqualTo(20_000_000);
        assertThat(s.peer().slots().capacity()).as("upload_slots counts every peer uploaded to at once").isEqualTo(6);
        assertThat(s.peer().maxPeers()).isEqualTo(30);
        assertThat(s.peer().scheduler().originFallbackDelay()).isEqualTo(Duration.ofSeconds(90));
        assertThat(s.cacheDir()).isEqualTo(Path.of("/var/cache/caravan"));
        assertThat(s.product()).isEqualTo("myapp");
        assertThat(s.channel()).isEqualTo("beta");
        assertThat(s.installDir()).isEqualTo(Path.of("/opt/myapp"));
        assertThat(s.keepVersions()).isEqualTo(3);
        assertThat(s.pollInterval()).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.advertisedHost()).isEqualTo("10.1.2.3");
    }

    @Test
    void aWildcardListenLetsTheTrackerUseTheAddressItSees() {
        assertThat(AgentSettings.of(config(Map.of()), "pc7", PEER, new byte[0]).advertisedHost()).isNull();
        assertThat(AgentSettings.of(config(Map.of("peer.listen", "[::]:7881")), "pc7", PEER, new byte[0])
                .advertisedHost()).isNull();
    }

    @Test
    void anIpv6TrackerWithoutAPortIsReachedOn443() {
        Agent.Settings s = AgentSettings.of(config(Map.of("tracker.url", "https://[fd00::7]")), "pc7", PEER, new byte[0]);

        assertThat(s.trackerHost()).isEqualTo("fd00::7");
        assertThat(s.trackerPort()).isEqualTo(443);
        assertThat(s.origin().trustedCaPem()).as("no origin.ca: the JDK's trust store").isNull();
    }

    @Test
    void oneUploadSlotHasNoOptimisticSlot() {
        assertThat(AgentSettings.slots(1).slots()).isEqualTo(1);
        assertThat(AgentSettings.slots(1).optimisticSlots()).isZero();
        assertThat(AgentSettings.slots(4).slots()).isEqualTo(3);
        assertThat(AgentSettings.slots(4).optimisticSlots()).isEqualTo(1);
    }
}
