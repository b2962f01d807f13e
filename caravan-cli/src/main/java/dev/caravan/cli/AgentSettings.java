package dev.caravan.cli;

import dev.caravan.agent.Agent;
import dev.caravan.agent.CachePolicy;
import dev.caravan.agent.config.AgentConfig;
import dev.caravan.agent.seed.UploadSlotConfig;
import dev.caravan.agent.swarm.PeerConfig;
import dev.caravan.origin.client.OriginClientConfig;
import dev.caravan.scheduler.SchedulerConfig;
import dev.caravan.wire.PeerId;
import dev.caravan.wire.tls.TlsFiles;
import java.net.URI;

/**
 * Turns {@code caravan agent}'s checked {@link AgentConfig} into the {@link Agent.Settings} the
 * engine runs with. Every key lands somewhere.
 */
final class AgentSettings {
    private AgentSettings() {}

    /**
     * The agent's settings.
     *
     * @param config the checked config
     * @param name the agent's label in logs and status (its certificate's name)
     * @param peerId the id kept in the cache folder
     * @param trustedRoot the bytes of {@code trust.root}
     */
    static Agent.Settings of(AgentConfig config, String name, PeerId peerId, byte[] trustedRoot) {
        URI tracker = config.trackerUrl();
        OriginClientConfig origin = OriginClientConfig.defaults()
                .withMaxConnectionsPerHost(config.originConnections())
                .withTrustedCaPem(config.originCa().orElse(null));
        SchedulerConfig scheduler = SchedulerConfig.DEFAULT.withOrigin(SchedulerConfig.DEFAULT.originGrace(),
                config.originFallbackDelay(), SchedulerConfig.DEFAULT.originMaxInFlight());
        PeerConfig peer = PeerConfig.defaults(peerId, config.peerGroup(),
                        new TlsFiles(config.tlsCertificate(), config.tlsKey(), config.tlsCa()),
                        config.peerListen().host(), config.peerListen().port())
                .withRates(config.uploadRateBytesPerSecond(), config.downloadRateBytesPerSecond())
                .withSlots(slots(config.uploadSlots()))
                .withMaxPeers(config.maxPeers())
                .withScheduler(scheduler);
        return new Agent.Settings(name, host(tracker), port(tracker), config.originUrl().toString(), origin, trustedRoot,
                peer, config.cacheDir(), config.product(), config.channel(), config.installDir(), config.keepVersions(),
                config.pollInterval(), advertisedHost(config.peerListen().host()),
                new CachePolicy(config.cacheMaxSizeBytes(), config.cacheMaxAge()));
    }

    /**
     * {@code limits.upload_slots} counts every peer uploaded to at once; one of them (when there
     * are two or more) is the optimistic slot that passes round robin to the peer waiting longest.
     */
    static UploadSlotConfig slots(int uploadSlots) {
        int optimistic = uploadSlots > 1 ? 1 : 0;
        return new UploadSlotConfig(uploadSlots - optimistic, UploadSlotConfig.DEFAULT.rotation(), optimistic);
    }

    /** The host announced to the tracker: none for a wildcard listen address (the tracker uses the address it sees). */
    static String advertisedHost(String listenHost) {
        return switch (listenHost) {
            case "0.0.0.0", "::", "0:0:0:0:0:0:0:0" -> null;
            default -> listenHost;
        };
    }

    private static String host(URI url) {
        String host = url.getHost();
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static int port(URI url) {
        return url.getPort() == -1 ? 443 : url.getPort();
    }
}
