package dev.caravan.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.caravan.core.Digest;
import dev.caravan.core.ReleaseId;
import dev.caravan.core.chunk.ChunkStore;
import dev.caravan.core.manifest.ChunkInfo;
import dev.caravan.core.manifest.Manifest;
import dev.caravan.core.manifest.ManifestFile;
import dev.caravan.origin.client.OriginClient;
import dev.caravan.tuf.TargetInfo;
import dev.caravan.tuf.TufClient;
import dev.caravan.tuf.TufClientConfig;
import dev.caravan.tuf.TufException;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gets one release from an origin: refreshes the TUF metadata, picks the release (a named
 * version, or the newest of a channel), downloads and verifies its manifest, fetches the chunks
 * the cache lacks, and installs the tree all-or-nothing. What {@code caravan get} runs.
 *
 * <p>Only bytes reachable from the trusted root are installed: timestamp → snapshot → targets
 * → manifest (a target: length and hashes) → chunk (its SHA-256 is its name).
 */
public final class ReleaseGetter {
    private static final Logger log = LoggerFactory.getLogger(ReleaseGetter.class);

    private final OriginClient origin;
    private final Clock clock;
    private final GetProgress progress;

    /**
     * What to get.
     *
     * @param originUrl the origin's base URL; metadata is under {@code metadata/}, manifests under
     *     {@code targets/}, chunks under {@code chunks/}
     * @param trustedRoot the root metadata trusted out of band, used when the cache trusts none yet
     * @param version the version to get, or {@code null} for the newest of {@code channel}
     * @param channel the channel whose newest release to get when no version is named
     * @param out the folder to install into (replaced all-or-nothing)
     * @param cache the cache folder: trusted metadata and verified chunks
     * @param requestsInFlight how many chunk requests run at once
     */
    public record Request(String originUrl, byte[] trustedRoot, String product, String version, String channel,
                          Path out, Path cache, int requestsInFlight) {
        public Request {
            Objects.requireNonNull(originUrl, "originUrl");
            Objects.requireNonNull(trustedRoot, "trustedRoot");
            Objects.requireNonNull(out, "out");
            Objects.requireNonNull(cache, "cache");
            if (version != null) {
                new ReleaseId(product, version);
            } else {
                ReleaseId.requireChannel(channel);
            }
            if (requestsInFlight < 1) {
                throw new IllegalArgumentException("requestsInFlight must be >= 1, got " + requestsInFlight);
            }
            originUrl = originUrl.endsWith("/") ? originUrl.substring(0, originUrl.length() - 1) : originUrl;
        }
    }

    /**
     * What a get did.
     *
     * @param chunksFetched chunks fetched from the origin (the others were in the cache)
     * @param bytesFetched chunk bytes fetched from the origin
     */
    public record Result(Manifest manifest, int chunksFetched, long bytesFetched, Path out) {}

    public ReleaseGetter(OriginClient origin, Clock clock, GetProgress progress) {
        this.origin = origin;
        this.clock = clock;
        this.progress = progress;
    }

    /** Gets and installs the release that {@code request} names. */
    public Result get(Request request) throws IOException, TufException {
        long started = System.nanoTime();
        log.debug("get of {} from {} starting", request.product(), request.originUrl());
        Manifest manifest = resolve(origin, clock, request.cache(), request.originUrl(), request.trustedRoot(),
                request.product(), request.version(), request.channel());
        log.debug("metadata refreshed and manifest verified after {} ms", (System.nanoTime() - started) / 1_000_000);

        ChunkStore store = new ChunkStore(request.cache().resolve("chunks"));
        Map<Digest, Long> missing = new LinkedHashMap<>();
        long missingBytes = 0;
        for (ChunkInfo chunk : manifest.distinctChunks()) {
            if (!store.has(chunk.digest())) {
                missing.put(chunk.digest(), (long) chunk.size());
                missingBytes += chunk.size();
            }
        }
        progress.started(manifest.releaseId().toString(), manifest.totalBytes(), missing.size(), missingBytes);
        try (ChunkFetcher fetcher = new ChunkFetcher(origin, request.originUrl() + "/chunks", store,
                request.requestsInFlight(), progress)) {
            log.debug("manifest verified after {} ms; fetching {} chunks", (System.nanoTime() - started) / 1_000_000,
                    missing.size());
            fetcher.start(missing);
            new ReleaseInstaller(store).install(manifest, request.out(), fetcher);
            fetcher.finish();
            log.debug("installed after {} ms", (System.nanoTime() - started) / 1_000_000);
            return new Result(manifest, missing.size(), fetcher.bytesFetched(), request.out());
        }
    }

    /**
     * Refreshes the TUF metadata of {@code originUrl} (trusting {@code trustedRoot} the first time,
     * keeping the trusted state under {@code cache}) and returns the verified manifest of {@code version},
     * or of the newest release on {@code channel} when {@code version} is null.
     */
    public static Manifest resolve(OriginClient origin, Clock clock, Path cache, String originUrl, byte[] trustedRoot,
            String product, String version, String channel) throws IOException, TufException {
        return choose(origin, clock, cache, originUrl, trustedRoot, product, version, channel).fetchManifest().manifest();
    }

    /**
     * The first half of {@link #resolve}: refreshes the metadata and picks the release's signed
     * target, without fetching its manifest yet; a caller that already has that target's manifest
     * (an agent polling its channel) need not fetch it again.
     */
    public static Choice choose(OriginClient origin, Clock clock, Path cache, String originUrl, byte[] trustedRoot,
            String product, String version, String channel) throws IOException, TufException {
        Path metadataDir = cache.resolve("tuf").resolve(originKey(originUrl));
        if (!TufClient.isInitialized(metadataDir)) {
            TufClient.init(metadataDir, trustedRoot);
        }
        TufClient tuf = new TufClient(metadataDir, origin, originUrl + "/metadata", clock, TufClientConfig.defaults());
        tuf.refresh();
        return new Choice(tuf, choose(tuf, product, version, channel), originUrl, product, version, channel);
    }

    /** A release picked from freshly refreshed metadata: its signed target, whose manifest is fetched on demand. */
    public static final class Choice {
        private final TufClient tuf;
        private final TargetInfo target;
        private final String originUrl;
        private final String product;
        private final String version;
        private final String channel;

        private Choice(TufClient tuf, TargetInfo target, String originUrl, String product, String version, String channel) {
            this.tuf = tuf;
            this.target = target;
            this.originUrl = originUrl;
            this.product = product;
            this.version = version;
            this.channel = channel;
        }

        /** The release's signed target: its name, length, hashes and custom fields. */
        public TargetInfo target() {
            return target;
        }

        /**
         * The name the release will have, known before its manifest is fetched: the SHA-256 the
         * signed target lists for the manifest, which the download is checked against
         * ({@link ManifestFile#digest()}); null if the target lists no SHA-256.
         */
        public Digest releaseDigest() {
            String hex = target.sha256();
            try {
                return hex == null ? null : Digest.parse(hex);
            } catch (IllegalArgumentException e) {
                return null; // not lowercase hex: the download's hash check refuses it
            }
        }

        /**
         * Downloads the target (the manifest), checks its length and hashes, parses it and checks it
         * is the release asked for; keeps the bytes as published.
         */
        public ManifestFile fetchManifest() throws IOException, TufException {
            ManifestFile file = ManifestFile.parse(tuf.downloadTarget(target, originUrl + "/targets"));
            Manifest manifest = file.manifest();
            requireMatches(manifest, target);
            if (!manifest.product().equals(product) || (version != null && !manifest.version().equals(version))) {
                throw new TufException("asked for " + product + " " + (version == null ? "on " + channel : version)
                        + " but target " + target.name() + " is " + manifest.releaseId()
                        + "; refusing to install another release");
            }
            return file;
        }
    }

    private static TargetInfo choose(TufClient tuf, String product, String version, String channel) throws TufException {
        if (version != null) {
            return tuf.getTargetInfo(new ReleaseId(product, version).manifestTargetName());
        }
        return tuf.targets().stream()
                .filter(t -> product.equals(text(t.custom(), "product"))
                        && channel.equals(text(t.custom(), "channel"))
                        && text(t.custom(), "version") != null)
                .max(Comparator.comparing((TargetInfo t) -> text(t.custom(), "version"), ReleaseId.VERSION_ORDER))
                .orElseThrow(() -> new NoRelease("no release of " + product + " on channel "
                        + channel + " in the repository's signed targets"));
    }

    /** The signed targets name no release of the product on the channel (yet): nothing is wrong with them. */
    public static final class NoRelease extends TufException.TargetNotFound {
        NoRelease(String message) {
            super(message);
        }
    }

    /** The signed target's custom field and the manifest it points to must name the same release. */
    private static void requireMatches(Manifest manifest, TargetInfo target) throws TufException {
        JsonNode custom = target.custom();
        if (!manifest.product().equals(text(custom, "product")) || !manifest.version().equals(text(custom, "version"))
                || !manifest.channel().equals(text(custom, "channel"))) {
            throw new TufException("manifest " + target.name() + " describes " + manifest.releaseId() + " on "
                    + manifest.channel() + " but its signed target says " + text(custom, "product") + " "
                    + text(custom, "version") + " on " + text(custom, "channel"));
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v != null && v.isTextual() ? v.textValue() : null;
    }

    /**
     * A short, file-name-safe key for an origin: each origin gets its own trusted metadata. The
     * URL is normalized first (scheme and host in lower case, default port dropped, no trailing
     * slash) so that spelling the same origin differently does not start trust afresh.
     */
    static String originKey(String originUrl) {
        String normalized = originUrl;
        try {
            URI uri = new URI(originUrl).normalize();
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            int port = uri.getPort();
            if ((scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443)) {
                port = -1;
            }
            String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
            String path = uri.getPath() == null ? "" : uri.getPath().replaceAll("/+$", "");
            normalized = scheme + "://" + host + (port == -1 ? "" : ":" + port) + path;
        } catch (URISyntaxException e) {
            // not a URI the client could fetch anyway; key it as given
        }
        return Digest.sha256(normalized.getBytes(StandardCharsets.UTF_8)).hex().substring(0, 16);
    }
}
