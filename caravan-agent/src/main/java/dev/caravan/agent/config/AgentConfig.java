package dev.caravan.agent.config;

import static dev.caravan.agent.config.Setting.API_LISTEN;
import static dev.caravan.agent.config.Setting.CACHE_DIR;
import static dev.caravan.agent.config.Setting.CACHE_MAX_AGE;
import static dev.caravan.agent.config.Setting.CACHE_MAX_SIZE;
import static dev.caravan.agent.config.Setting.FOLLOW_CHANNEL;
import static dev.caravan.agent.config.Setting.FOLLOW_INSTALL_DIR;
import static dev.caravan.agent.config.Setting.FOLLOW_KEEP_VERSIONS;
import static dev.caravan.agent.config.Setting.FOLLOW_POLL_INTERVAL;
import static dev.caravan.agent.config.Setting.FOLLOW_PRODUCT;
import static dev.caravan.agent.config.Setting.LIMITS_DOWNLOAD_RATE;
import static dev.caravan.agent.config.Setting.LIMITS_MAX_PEERS;
import static dev.caravan.agent.config.Setting.LIMITS_UPLOAD_RATE;
import static dev.caravan.agent.config.Setting.LIMITS_UPLOAD_SLOTS;
import static dev.caravan.agent.config.Setting.ORIGIN_CA;
import static dev.caravan.agent.config.Setting.ORIGIN_CONNECTIONS;
import static dev.caravan.agent.config.Setting.ORIGIN_FALLBACK_DELAY;
import static dev.caravan.agent.config.Setting.ORIGIN_URL;
import static dev.caravan.agent.config.Setting.PEER_GROUP;
import static dev.caravan.agent.config.Setting.PEER_LISTEN;
import static dev.caravan.agent.config.Setting.TLS_CA;
import static dev.caravan.agent.config.Setting.TLS_CERTIFICATE;
import static dev.caravan.agent.config.Setting.TLS_KEY;
import static dev.caravan.agent.config.Setting.TRACKER_URL;
import static dev.caravan.agent.config.Setting.TRUST_ROOT;

import dev.caravan.agent.swarm.PeerConfig;
import dev.caravan.agent.swarm.PeerLimits;
import dev.caravan.wire.Hello;
import dev.caravan.core.ReleaseId;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * The settings of {@code caravan agent}, as read from its TOML file by {@link AgentConfigLoader}.
 * Checked once, here, when the record is made: a bad value fails with a {@link ConfigException}
 * naming the TOML key and the value; nothing is clamped or quietly replaced. Whether the files
 * can be read is a separate check, {@link #checkFiles()}. Every key, its default and unit are in
 * {@code docs/agent-config.md}.
 *
 * @param trackerUrl {@code tracker.url}: the tracker, {@code https://HOST[:PORT]}
 * @param originUrl {@code origin.url}: the repository's base URL, http or https
 * @param originCa {@code origin.ca}: PEM CA certificates for an https origin; empty for the JDK's trust store
 * @param originConnections {@code origin.connections}: keep-alive connections to the origin, 1 to 64
 * @param originFallbackDelay {@code origin.fallback_delay}: a chunk wanted this long goes to the
 *     origin even if peers have it; zero or more
 * @param trustedRoot {@code trust.root}: the TUF root metadata trusted out of band (used the first time)
 * @param tlsCertificate {@code tls.certificate}: this agent's certificate (PEM, role agent)
 * @param tlsKey {@code tls.key}: the certificate's private key (PEM); its path only is ever printed
 * @param tlsCa {@code tls.ca}: the deployment CA certificate (PEM) that peers and tracker must chain to
 * @param peerListen {@code peer.listen}: where peers connect; port 0 for any free port
 * @param peerGroup {@code peer.group}: the group announced to the tracker and peers (same group is preferred)
 * @param cacheDir {@code cache.dir}: verified chunks and the TUF client's state
 * @param cacheMaxSizeBytes {@code cache.max_size}: the most bytes of chunks kept, at least 1 MiB
 * @param cacheMaxAge {@code cache.max_age}: chunks no kept release needs are evicted after this
 *     long unused; positive
 * @param uploadRateBytesPerSecond {@code limits.upload_rate}: 0 for unlimited, else at least 16 KiB/s
 * @param downloadRateBytesPerSecond {@code limits.download_rate}: 0 for unlimited, else at least 1 KiB/s
 * @param uploadSlots {@code limits.upload_slots}: peers uploaded to at once, 1 to 256
 * @param maxPeers {@code limits.max_peers}: peer connections at once, at least uploadSlots, at most 10000
 * @param product {@code follow.product}: the product to follow
 * @param channel {@code follow.channel}: its channel; the newest release of it is installed
 * @param installDir {@code follow.install_dir}: where releases are installed; neither inside
 *     cacheDir nor containing it
 * @param keepVersions {@code follow.keep_versions}: installed versions kept, the current one
 *     included, 1 to 100
 * @param pollInterval {@code follow.poll_interval}: how often the channel is checked for a new
 *     release (one small timestamp.json request to the origin); at least 1 s
 * @param apiListen {@code api.listen}: the local HTTP API and dashboard; not the peer port
 */
public record AgentConfig(
        URI trackerUrl,
        URI originUrl,
        Optional<Path> originCa,
        int originConnections,
        Duration originFallbackDelay,
        Path trustedRoot,
        Path tlsCertificate,
        Path tlsKey,
        Path tlsCa,
        HostPort peerListen,
        String peerGroup,
        Path cacheDir,
        long cacheMaxSizeBytes,
        Duration cacheMaxAge,
        long uploadRateBytesPerSecond,
        long downloadRateBytesPerSecond,
        int uploadSlots,
        int maxPeers,
        String product,
        String channel,
        Path installDir,
        int keepVersions,
        Duration pollInterval,
        HostPort apiListen) {

    /** The least non-zero rate: below it, a unit was most likely forgotten ({@code 10} for 10 MB/s). */
    public static final long MIN_RATE_BYTES_PER_SECOND = 1024;
    /** The least upload cap: one upload slot at the rate PeerConfig gives a slot at least. */
    public static final long MIN_UPLOAD_RATE_BYTES_PER_SECOND =
            PeerConfig.MIN_SLOT_RATE_FACTOR * PeerLimits.DEFAULT.minTransferBytesPerSecond();
    /** The smallest cache: below it, a unit was most likely forgotten. */
    public static final long MIN_CACHE_SIZE_BYTES = 1 << 20;
    public static final int MAX_ORIGIN_CONNECTIONS = 64;
    public static final int MAX_UPLOAD_SLOTS = 256;
    public static final int MAX_PEERS_LIMIT = 10_000;
    public static final int MAX_KEEP_VERSIONS = 100;
    /** The shortest poll interval: a fleet polling faster would load the origin for nothing. */
    public static final Duration MIN_POLL_INTERVAL = Duration.ofSeconds(1);

    public AgentConfig {
        requireUrl(TRACKER_URL, trackerUrl, true);
        if (trackerUrl.getRawPath() != null && !trackerUrl.getRawPath().isEmpty() && !trackerUrl.getRawPath().equals("/")) {
            throw bad(TRACKER_URL, trackerUrl, "give the tracker's address only, https://HOST[:PORT]; the path is fixed");
        }
        requireUrl(ORIGIN_URL, originUrl, false);
        require(ORIGIN_CA, originCa);
        if (originCa.isPresent() && !"https".equalsIgnoreCase(originUrl.getScheme())) {
            throw bad(ORIGIN_CA, originCa.get(), "only an https origin uses a CA, and origin.url is " + originUrl);
        }
        requireRange(ORIGIN_CONNECTIONS, originConnections, 1, MAX_ORIGIN_CONNECTIONS);
        require(ORIGIN_FALLBACK_DELAY, originFallbackDelay);
        if (originFallbackDelay.isNegative()) {
            throw bad(ORIGIN_FALLBACK_DELAY, originFallbackDelay, "must not be negative");
        }
        require(TRUST_ROOT, trustedRoot);
        require(TLS_CERTIFICATE, tlsCertificate);
        require(TLS_KEY, tlsKey);
        require(TLS_CA, tlsCa);
        require(PEER_LISTEN, peerListen);
        require(PEER_GROUP, peerGroup);
        try {
            Hello.requireGroup(peerGroup); // the group goes into every HELLO: the protocol's rule is the rule
        } catch (IllegalArgumentException e) {
            throw bad(PEER_GROUP, peerGroup, "a group is 1 to " + Hello.MAX_GROUP_LENGTH
                    + " characters of a-z, 0-9, '.', '_' and '-', starting with a letter or digit");
        }
        require(CACHE_DIR, cacheDir);
        if (cacheMaxSizeBytes < MIN_CACHE_SIZE_BYTES) {
            throw bad(CACHE_MAX_SIZE, cacheMaxSizeBytes, "must be at least 1MiB (did you forget a unit? e.g. 20GiB)");
        }
        require(CACHE_MAX_AGE, cacheMaxAge);
        if (cacheMaxAge.isNegative() || cacheMaxAge.isZero()) {
            throw bad(CACHE_MAX_AGE, DurationText.format(cacheMaxAge), "must be positive");
        }
        requireRate(LIMITS_UPLOAD_RATE, uploadRateBytesPerSecond);
        if (uploadRateBytesPerSecond != 0 && uploadRateBytesPerSecond < MIN_UPLOAD_RATE_BYTES_PER_SECOND) {
            throw bad(LIMITS_UPLOAD_RATE, uploadRateBytesPerSecond, "is below " + ByteSize.format(MIN_UPLOAD_RATE_BYTES_PER_SECOND)
                    + "/s: peers cut off a connection that moves less than "
                    + ByteSize.format(PeerLimits.DEFAULT.minTransferBytesPerSecond())
                    + "/s, so an agent must be able to give one peer twice that (0 = unlimited)");
        }
        requireRate(LIMITS_DOWNLOAD_RATE, downloadRateBytesPerSecond);
        requireRange(LIMITS_UPLOAD_SLOTS, uploadSlots, 1, MAX_UPLOAD_SLOTS);
        requireRange(LIMITS_MAX_PEERS, maxPeers, 1, MAX_PEERS_LIMIT);
        if (maxPeers < uploadSlots) {
            throw bad(LIMITS_MAX_PEERS, maxPeers, "must be at least limits.upload_slots (" + uploadSlots
                    + "), or some upload slots could never be used");
        }
        require(FOLLOW_PRODUCT, product);
        try {
            new ReleaseId(product, "0"); // the product rule lives in ReleaseId
        } catch (IllegalArgumentException e) {
            throw bad(FOLLOW_PRODUCT, product, "a product is 1 to 64 characters of a-z, 0-9, '.', '_' and '-',"
                    + " starting with a letter or digit");
        }
        require(FOLLOW_CHANNEL, channel);
        try {
            ReleaseId.requireChannel(channel);
        } catch (IllegalArgumentException e) {
            throw bad(FOLLOW_CHANNEL, channel, "a channel is 1 to 64 characters of a-z, 0-9, '.', '_' and '-',"
                    + " starting with a letter or digit");
        }
        require(FOLLOW_INSTALL_DIR, installDir);
        Path install = installDir.toAbsolutePath().normalize();
        Path cache = cacheDir.toAbsolutePath().normalize();
        if (install.startsWith(cache) || cache.startsWith(install)) {
            throw bad(FOLLOW_INSTALL_DIR, installDir, "must be outside cache.dir (" + cacheDir
                    + ") and not contain it: an install replaces its folder as a whole");
        }
        requireRange(FOLLOW_KEEP_VERSIONS, keepVersions, 1, MAX_KEEP_VERSIONS);
        require(FOLLOW_POLL_INTERVAL, pollInterval);
        if (pollInterval.compareTo(MIN_POLL_INTERVAL) < 0) {
            throw bad(FOLLOW_POLL_INTERVAL, DurationText.format(pollInterval), "must be at least 1s");
        }
        require(API_LISTEN, apiListen);
        if (apiListen.port() != 0 && apiListen.port() == peerListen.port()) {
            throw bad(API_LISTEN, apiListen, "uses the same port as peer.listen (" + peerListen + ")");
        }
    }

    /**
     * Checks that every file named by the config is a readable regular file: the trusted root, the
     * TLS certificate, key and CA, and the origin's CA if set. Only reads their attributes.
     *
     * @throws ConfigException naming the first key whose file is missing or unreadable
     */
    public void checkFiles() {
        checkFile(TRUST_ROOT, trustedRoot);
        checkFile(TLS_CERTIFICATE, tlsCertificate);
        checkFile(TLS_KEY, tlsKey);
        checkFile(TLS_CA, tlsCa);
        if (originCa.isPresent()) {
            checkFile(ORIGIN_CA, originCa.get());
        }
    }

    /**
     * The effective configuration, every key with its value, as a TOML document that loads back
     * to this config: for the INFO log at start-up. Files appear as paths only; nothing is read
     * from them, so no key material can be printed.
     */
    public String describe() {
        StringBuilder b = new StringBuilder("# caravan agent: effective configuration\n");
        section(b, "tracker");
        line(b, "url", str(trackerUrl), null);
        section(b, "origin");
        line(b, "url", str(originUrl), null);
        if (originCa.isPresent()) {
            line(b, "ca", str(originCa.get()), null);
        } else {
            b.append("# ca not set: the JDK's trust store\n");
        }
        line(b, "connections", Integer.toString(originConnections), null);
        line(b, "fallback_delay", str(DurationText.format(originFallbackDelay)), null);
        section(b, "trust");
        line(b, "root", str(trustedRoot), null);
        section(b, "tls");
        line(b, "certificate", str(tlsCertificate), null);
        line(b, "key", str(tlsKey), null);
        line(b, "ca", str(tlsCa), null);
        section(b, "peer");
        line(b, "listen", str(peerListen), null);
        line(b, "group", str(peerGroup), null);
        section(b, "cache");
        line(b, "dir", str(cacheDir), null);
        line(b, "max_size", str(ByteSize.format(cacheMaxSizeBytes)), cacheMaxSizeBytes + " bytes");
        line(b, "max_age", str(DurationText.format(cacheMaxAge)), null);
        section(b, "limits");
        line(b, "upload_rate", str(ByteSize.format(uploadRateBytesPerSecond)), rate(uploadRateBytesPerSecond));
        line(b, "download_rate", str(ByteSize.format(downloadRateBytesPerSecond)), rate(downloadRateBytesPerSecond));
        line(b, "upload_slots", Integer.toString(uploadSlots), null);
        line(b, "max_peers", Integer.toString(maxPeers), null);
        section(b, "follow");
        line(b, "product", str(product), null);
        line(b, "channel", str(channel), null);
        line(b, "install_dir", str(installDir), null);
        line(b, "keep_versions", Integer.toString(keepVersions), null);
        line(b, "poll_interval", str(DurationText.format(pollInterval)), null);
        section(b, "api");
        line(b, "listen", str(apiListen), null);
        return b.toString();
    }

    private static void section(StringBuilder b, String name) {
        b.append("\n[").append(name).append("]\n");
    }

    private static void line(StringBuilder b, String key, String value, String comment) {
        b.append(key).append(" = ").append(value);
        if (comment != null) {
            b.append("  # ").append(comment);
        }
        b.append('\n');
    }

    private static String rate(long bytesPerSecond) {
        return bytesPerSecond == 0 ? "unlimited" : bytesPerSecond + " bytes/s";
    }

    private static String str(Object value) {
        return ConfigException.quote(String.valueOf(value));
    }

    private static void checkFile(Setting setting, Path file) {
        if (!Files.exists(file)) {
            throw bad(setting, file, "no such file");
        }
        if (!Files.isRegularFile(file)) {
            throw bad(setting, file, "not a regular file");
        }
        if (!Files.isReadable(file)) {
            throw bad(setting, file, "not readable by this user");
        }
    }

    private static void requireUrl(Setting setting, URI url, boolean httpsOnly) {
        require(setting, url);
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (httpsOnly ? !scheme.equals("https") : !(scheme.equals("http") || scheme.equals("https"))) {
            throw bad(setting, url, httpsOnly ? "must be an https:// URL (the tracker speaks only mutual TLS)"
                    : "must be an http:// or https:// URL");
        }
        if (url.getHost() == null || url.getRawUserInfo() != null) {
            throw bad(setting, url, "must name a host, e.g. " + scheme + "://host.example:7443");
        }
        if (url.getRawQuery() != null || url.getRawFragment() != null) {
            throw bad(setting, url, "must not have a query (?...) or a fragment (#...)");
        }
    }

    private static void requireRate(Setting setting, long bytesPerSecond) {
        if (bytesPerSecond < 0) {
            throw bad(setting, bytesPerSecond, "must not be negative (0 = unlimited)");
        }
        if (bytesPerSecond != 0 && bytesPerSecond < MIN_RATE_BYTES_PER_SECOND) {
            throw bad(setting, bytesPerSecond, "is below 1KiB/s; did you forget a unit? (e.g. 10MB; 0 = unlimited)");
        }
    }

    private static void requireRange(Setting setting, int value, int min, int max) {
        if (value < min || value > max) {
            throw bad(setting, value, "must be from " + min + " to " + max);
        }
    }

    private static void require(Setting setting, Object value) {
        if (value == null) {
            throw new ConfigException(setting.key, null, "is required");
        }
    }

    private static ConfigException bad(Setting setting, Object value, String reason) {
        return new ConfigException(setting.key, value instanceof Number ? value : String.valueOf(value), reason);
    }
}
