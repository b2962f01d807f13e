package dev.caravan.agent;

import dev.caravan.agent.swarm.PeerConfig;
import dev.caravan.agent.swarm.PeerNetwork;
import dev.caravan.agent.swarm.ReleaseSwarm;
import dev.caravan.core.Digest;
import dev.caravan.core.chunk.ChunkStore;
import dev.caravan.core.manifest.Manifest;
import dev.caravan.core.manifest.ManifestFile;
import dev.caravan.origin.client.OriginClient;
import dev.caravan.origin.client.OriginClientConfig;
import dev.caravan.scheduler.SchedulerStats;
import dev.caravan.tracker.AnnounceEvent;
import dev.caravan.tracker.AnnounceRequest;
import dev.caravan.tracker.AnnounceResponse;
import dev.caravan.tracker.PeerAddress;
import dev.caravan.tracker.ReleaseProgress;
import dev.caravan.tracker.SwarmPeer;
import dev.caravan.tracker.TrackerClient;
import dev.caravan.tracker.TrackerClientConfig;
import dev.caravan.tuf.TargetInfo;
import dev.caravan.wire.tls.RevocationListException;
import dev.caravan.wire.tls.Revocations;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fleet machine's agent: follows a product's channel, fetches each new release through the
 * swarm (peers first, the origin as a budgeted fallback), installs it all-or-nothing as
 * {@code install_dir/versions/VERSION} with {@code install_dir/current} switched atomically, and
 * keeps seeding it to peers. What {@code caravan agent} and each machine of {@code caravan demo} run.
 *
 * <p>Two threads of its own: one follows the channel (TUF refresh, install), one announces to the
 * tracker; the peer side runs on the {@link PeerNetwork}'s event loops and each release's
 * {@link ReleaseSwarm} on its own thread.
 */
public final class Agent implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Agent.class);
    private static final String MANIFEST_MARK = ".manifest";
    /** How often the cache is checked for chunks to evict when no new release comes. */
    private static final Duration EVICTION_INTERVAL = Duration.ofHours(1);
    /** The first wait before asking the tracker again when it named no peer for a release we fetch. */
    private static final Duration LONELY_RETRY_FIRST = Duration.ofSeconds(2);

    /**
     * What an agent needs.
     *
     * @param name a label for logs (the machine's certificate name, for instance)
     * @param trackerHost the tracker's host
     * @param trackerPort the tracker's port
     * @param originUrl the repository's base URL
     * @param origin how to reach the origin
     * @param trustedRoot the TUF root trusted out of band
     * @param peer the peer side's settings
     * @param cacheDir chunk store and TUF state
     * @param product the product followed
     * @param channel its channel
     * @param installDir where releases are installed
     * @param keepVersions installed versions kept, the current one included
     * @param pollInterval how often the channel is checked for a new release
     * @param advertisedHost the host announced to the tracker, or null to let the tracker use the
     *     address it sees
     * @param cache how much of the chunk cache is kept
     */
    public record Settings(String name, String trackerHost, int trackerPort, String originUrl, OriginClientConfig origin,
            byte[] trustedRoot, PeerConfig peer, Path cacheDir, String product, String channel, Path installDir,
            int keepVersions, Duration pollInterval, String advertisedHost, CachePolicy cache) {
        public Settings {
            Objects.requireNonNull(cache, "cache");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(trackerHost, "trackerHost");
            originUrl = originUrl.endsWith("/") ? originUrl.substring(0, originUrl.length() - 1) : originUrl;
            Objects.requireNonNull(trustedRoot, "trustedRoot");
            Objects.requireNonNull(peer, "peer");
            Objects.requireNonNull(cacheDir, "cacheDir");
            Objects.requireNonNull(installDir, "installDir");
            if (keepVersions < 1) {
                throw new IllegalArgumentException("keepVersions must be at least 1, got " + keepVersions);
            }
            if (pollInterval.isNegative() || pollInterval.isZero()) {
                throw new IllegalArgumentException("pollInterval must be positive, got " + pollInterval);
            }
        }
    }

    /**
     * What an agent is doing, for progress lines, the local API and tests.
     *
     * @param release the release being fetched or seeded, or null before the first is chosen
     * @param chunksHeld its chunks held verified
     * @param chunks its chunk count
     * @param installedVersion the version {@code current} points to, or null
     */
    public record Status(String name, String release, int chunksHeld, int chunks, long bytesFromPeers,
            long bytesFromOrigin, long bytesUploaded, int peers, String installedVersion, String lastError) {}

    private final Settings settings;
    private final Clock clock;
    private final EventLoopGroup sharedGroup;
    private final CompletableFuture<Manifest> firstInstall = new CompletableFuture<>();
    private CacheLock cacheLock;
    private ChunkStore store;
    private CacheEviction eviction;
    private Instant nextEviction = Instant.MIN;
    private PeerNetwork network;
    private OriginClient origin;
    private TrackerClient tracker;
    private Revocations revocations;
    private CertificateRenewal certificates;
    private ScheduledExecutorService follower;
    private ScheduledExecutorService announcer;
    /** The next periodic announce; touched on the announcer thread only. */
    private ScheduledFuture<?> nextAnnounce;
    private volatile ReleaseSwarm current;
    private volatile ReleaseSwarm previous;
    /** The signed target of {@link #current}'s release; on the follow thread only. */
    private TargetInfo currentTarget;
    private volatile String installedVersion;
    private volatile String lastError;
    private volatile boolean waitingForRelease;
    private volatile boolean announcedStart;
    private final Object earlyLock = new Object();
    /**
     * A release announced before its manifest arrived (see {@link #follow}), until its swarm starts or
     * its fetch fails; under earlyLock.
     */
    private Digest earlyRelease;
    /** The peers the tracker named for {@link #earlyRelease}, once it answered; under earlyLock. */
    private List<ReleaseSwarm.SwarmAddress> earlyPeers;
    /** When the tracker answered for {@link #earlyRelease} (System.nanoTime); under earlyLock. */
    private long earlyAnsweredAt;
    /** The wait before the next announce while the tracker names no peer for a release we fetch; null otherwise. */
    private Duration lonelyRetry;
    private volatile boolean closed;

    /** An agent; {@code group}, if not null, is an event loop group shared with other agents in this process. */
    public Agent(Settings settings, Clock clock, EventLoopGroup group) {
        this.settings = settings;
        this.clock = clock;
        this.sharedGroup = group;
    }

    /** Listens for peers and starts following the channel and announcing. */
    public synchronized void start() throws IOException {
        cacheLock = CacheLock.acquire(settings.cacheDir());
        store = new ChunkStore(settings.cacheDir().resolve("chunks"));
        eviction = new CacheEviction(store, settings.cacheDir(), settings.cache(), clock);
        // Nothing else writes into this cache or these versions (the lock says so): what a killed
        // agent left half-written can go.
        int strays = store.removeStrays();
        int unfinished = ReleaseInstaller.removeLeftovers(settings.installDir().resolve("versions"));
        if (strays + unfinished > 0) {
            log.info("{}: removed what an interrupted run left: {} partial chunk files, {} unfinished install folders",
                    settings.name(), strays, unfinished);
        }
        origin = new OriginClient(settings.origin());
        revocations = new Revocations(settings.peer().tls().readCa());
        network = new PeerNetwork(settings.peer(), store, sharedGroup, revocations);
        network.start();
        tracker = new TrackerClient(TrackerClientConfig.defaults(settings.trackerHost(), settings.trackerPort(),
                settings.peer().tls()), revocations);
        certificates = new CertificateRenewal(settings.name(), settings.peer().tls(), clock);
        follower = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "caravan-follow-" + settings.name()));
        announcer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "caravan-announce-" + settings.name()));
        // Announced at once, before any release is chosen: the tracker lists the machine from its start,
        // and the first announce of a release then finds the way to the tracker already taken once.
        announceSoon();
        follower.scheduleWithFixedDelay(this::follow, 0, settings.pollInterval().toNanos(), TimeUnit.NANOSECONDS);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * Looks at the channel now rather than at the next poll, as an agent told of a new release
     * would; a look already under way finishes first. Does nothing once the agent is stopped.
     *
     * @return done when this look is over (whatever it found: {@link #status()} tells)
     */
    public Future<?> checkNow() {
        ScheduledExecutorService f = follower;
        if (f == null || closed) {
            return CompletableFuture.completedFuture(null);
        }
        try {
            return f.submit(this::follow);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(null); // stopped meanwhile
        }
    }

    /** Whether the last look at the channel found no release on it: a new channel, nothing published yet. */
    public boolean waitingForRelease() {
        return waitingForRelease;
    }

    /** Completes with the manifest of the first release this agent installs. */
    public CompletableFuture<Manifest> firstInstall() {
        return firstInstall;
    }

    /** The port peers reach this agent on. */
    public int peerPort() {
        return network.port();
    }

    /**
     * Peer connections this agent closed for what the peer did: over the per-address limit, a
     * protocol error or flood, too slow a transfer, a ban ({@code docs/security.md}, "Malicious peers").
     */
    public long peersCutOff() {
        return network == null ? 0 : network.peersCutOff();
    }

    /**
     * From now on this agent serves every block with one bit flipped, as a liar would: for the swarm
     * benchmark's liars ({@code caravan demo --liars}) and tests only. What it installs stays verified.
     */
    public void lieToPeers() {
        network.lie();
    }

    /** The folder {@code current} points to. */
    public Path currentDir() {
        return settings.installDir().resolve("current");
    }

    public Settings settings() {
        return settings;
    }

    public Status status() {
        ReleaseSwarm s = current;
        if (s == null) {
            return new Status(settings.name(), null, 0, 0, 0, 0, network == null ? 0 : network.bytesUploaded(), 0,
                    installedVersion, lastError);
        }
        SchedulerStats st = s.stats();
        return new Status(settings.name(), s.manifest().releaseId().toString(), s.chunksHeld(), s.chunkCount(),
                st.bytesFromSameGroup() + st.bytesFromOtherGroups(), st.bytesFromOrigin(), network.bytesUploaded(),
                network.connectionCount(), installedVersion, lastError);
    }

    // ---- following the channel

    private void follow() {
        if (closed) {
            return;
        }
        try {
            ReleaseGetter.Choice choice = ReleaseGetter.choose(origin, clock, settings.cacheDir(), settings.originUrl(),
                    settings.trustedRoot(), settings.product(), null, settings.channel());
            waitingForRelease = false;
            ReleaseSwarm now = current;
            // The manifest is fetched only when the signed target changed: a fleet polling a channel
            // that has not moved costs the origin a timestamp per poll, not a manifest.
            if (now == null || !choice.target().equals(currentTarget)) {
                // Announced before the manifest is fetched, under the name the signed target gives it:
                // the tracker's answer and the peers' dials overlap the manifest's download and parsing.
                Digest early = choice.releaseDigest();
                boolean announceEarly = early != null && (now == null || !now.manifestDigest().equals(early));
                if (announceEarly) {
                    network.expect(early);
                    synchronized (earlyLock) {
                        earlyRelease = early;
                        earlyPeers = null;
                    }
                    announceSoon();
                }
                try {
                    ManifestFile manifest = choice.fetchManifest();
                    if (now == null || !now.manifestDigest().equals(manifest.digest())) {
                        fetchAndInstall(manifest);
                    }
                } finally {
                    if (announceEarly) {
                        network.abandon(early); // nothing if its swarm started
                        boolean withdrawn = false;
                        synchronized (earlyLock) {
                            if (early.equals(earlyRelease)) {
                                earlyRelease = null;
                                earlyPeers = null;
                                withdrawn = true;
                            }
                        }
                        if (withdrawn) {
                            announceSoon(); // the tracker stops naming us for it
                        }
                    }
                }
                currentTarget = choice.target();
            }
            lastError = null;
            if (!clock.instant().isBefore(nextEviction)) {
                evictCache();
            }
        } catch (Exception e) {
            if (closed) {
                return;
            }
            String error = describe(e);
            waitingForRelease = e instanceof ReleaseGetter.NoRelease;
            if (waitingForRelease && installedVersion == null) {
                // A channel nothing was published on yet, as a new fleet's agents see it: said once.
                if (!error.equals(lastError)) {
                    log.info("{}: waiting for a release: {}", settings.name(), error);
                }
            } else {
                log.warn("{}: {}", settings.name(), error);
            }
            lastError = error;
            if (!waitingForRelease) {
                log.debug("follow failed", e); // an empty channel is no fault: said above, without a stack trace
            }
        }
    }

    /** What went wrong, in words: file system faults carry only a path as their message. */
    static String describe(Exception e) {
        if (e instanceof FileAlreadyExistsException f) {
            return "cannot create " + f.getFile() + ": something else is already there";
        }
        if (e instanceof AccessDeniedException f) {
            return "permission denied: " + f.getFile();
        }
        if (e instanceof NoSuchFileException f && f.getReason() == null) {
            return "no such file or folder: " + f.getFile();
        }
        if (e instanceof FileSystemException f && f.getReason() == null) {
            return e.getClass().getSimpleName() + ": " + f.getFile();
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    private void fetchAndInstall(ManifestFile published) throws Exception {
        Manifest manifest = published.manifest();
        String version = manifest.version();
        ReleaseSwarm swarm = new ReleaseSwarm(network, published, origin, settings.originUrl()).start();
        Digest digest = published.digest();
        log.info("{}: fetching {} through the swarm: {} of its {} chunks missing", settings.name(),
                manifest.releaseId(), swarm.chunkCount() - swarm.chunksHeld(), swarm.chunkCount());
        ReleaseSwarm before = current;
        boolean announced;
        synchronized (earlyLock) {
            previous = before;
            current = swarm;
            announced = startEarlyAnnounced(swarm);
        }
        Path versions = settings.installDir().resolve("versions");
        Path target = versions.resolve(version);
        Path mark = versions.resolve(version + MANIFEST_MARK);
        try {
            if (!announced) {
                announceSoon();
            }
            // Shelved (written, fsynced) once the swarm is fetching and its announce is on its way, not
            // before: its chunks must count as needed when eviction looks, which it does on this
            // thread, after the install.
            eviction.remember(published);
            InstallFolder.requireNoLink(versions);
            InstallFolder.requireNoLink(target);
            boolean installed = Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS) && Files.exists(mark, LinkOption.NOFOLLOW_LINKS)
                    && Files.readString(mark, StandardCharsets.UTF_8).trim().equals(digest.hex())
                    && InstallFolder.holdsExactly(target, manifest);
            if (!installed) {
                Files.createDirectories(versions);
                Files.deleteIfExists(mark);
                new ReleaseInstaller(store).install(manifest, target, swarm);
                swarm.completion().get();
                writeAtomically(mark, digest.hex());
            } else {
                swarm.completion().get();
            }
            switchCurrent(target);
        } catch (Exception | Error e) {
            // Back to the release we had, so that the next poll tries this one again from the start
            // (what was verified and stored stays in the cache).
            current = before;
            previous = null;
            swarm.close();
            throw e;
        }
        installedVersion = version;
        log.info("{}: installed {} into {}; seeding it", settings.name(), manifest.releaseId(), target);
        if (before != null) {
            before.close();
            previous = null;
        }
        pruneVersions(versions, version);
        evictCache();
        announceSoon();
        firstInstall.complete(manifest);
    }

    /** Points {@code current} at {@code target} with one rename, so that readers see the old or the new tree. */
    private void switchCurrent(Path target) throws IOException {
        Path link = currentDir();
        Path temp = settings.installDir().resolve(".current.tmp");
        Files.deleteIfExists(temp);
        Files.createSymbolicLink(temp, settings.installDir().relativize(target));
        Files.move(temp, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private void pruneVersions(Path versions, String keep) throws IOException {
        List<Path> folders;
        try (Stream<Path> list = Files.list(versions)) {
            // Names starting with a dot are the installer's staging folders, not versions.
            folders = new ArrayList<>(list.filter(p -> !p.getFileName().toString().startsWith("."))
                    .filter(Files::isDirectory).toList());
        }
        folders.sort(Comparator.comparing((Path p) -> lastModified(p)).reversed());
        int kept = 0;
        for (Path p : folders) {
            if (p.getFileName().toString().equals(keep) || kept < settings.keepVersions() - 1) {
                if (!p.getFileName().toString().equals(keep)) {
                    kept++;
                }
                continue;
            }
            // The mark goes first and the folder is renamed aside before it is deleted, so that a
            // crash half-way never leaves a partial tree under a version's name.
            Files.deleteIfExists(versions.resolve(p.getFileName() + MANIFEST_MARK));
            ReleaseInstaller.discard(p);
        }
    }

    /**
     * Evicts the chunks no kept release needs, as the cache policy says; runs on the follow
     * thread, between fetches. A failure here is logged, not an install's failure.
     */
    private void evictCache() {
        nextEviction = clock.instant().plus(EVICTION_INTERVAL);
        try {
            eviction.evict(keptReleases());
        } catch (IOException | RuntimeException e) {
            log.warn("{}: cannot evict from the cache {}: {}", settings.name(), settings.cacheDir(), describe(e));
        }
    }

    /** The releases whose chunks stay: the one fetched or seeded, and every installed version still kept. */
    private Set<Digest> keptReleases() throws IOException {
        Set<Digest> kept = new HashSet<>();
        ReleaseSwarm now = current;
        if (now != null) {
            kept.add(now.manifestDigest());
        }
        Path versions = settings.installDir().resolve("versions");
        if (Files.isDirectory(versions)) {
            try (Stream<Path> marks = Files.list(versions)) {
                for (Path mark : marks.filter(p -> p.getFileName().toString().endsWith(MANIFEST_MARK)).toList()) {
                    String name = mark.getFileName().toString();
                    if (!name.startsWith(".") && Files.isDirectory(versions.resolve(name.substring(0, name.length() - MANIFEST_MARK.length())))) {
                        kept.add(Digest.parse(Files.readString(mark, StandardCharsets.UTF_8).trim()));
                    }
                }
            }
        }
        return kept;
    }

    private static long lastModified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    private static void writeAtomically(Path file, String text) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temp, text + "\n", StandardCharsets.UTF_8);
        try (var ch = java.nio.channels.FileChannel.open(temp, java.nio.file.StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    // ---- announcing

    /**
     * Announces now instead of at the next periodic announce, which this replaces: one chain of
     * announces per agent, however many releases it fetched.
     */
    private void announceSoon() {
        announcer.execute(() -> {
            if (nextAnnounce != null) {
                nextAnnounce.cancel(false);
            }
            announce();
        });
    }

    private void announce() {
        if (closed) {
            return;
        }
        Duration next = Duration.ofSeconds(30);
        renewIfDue();
        List<ReleaseSwarm> swarms = new ArrayList<>();
        Digest pending;
        // Together, against fetchAndInstall: a release is either a started swarm or announced early here.
        synchronized (earlyLock) {
            for (ReleaseSwarm s : new ReleaseSwarm[] {current, previous}) {
                if (s != null) {
                    swarms.add(s);
                }
            }
            pending = earlyRelease;
        }
        try {
            List<ReleaseProgress> releases = new ArrayList<>();
            for (ReleaseSwarm s : swarms) {
                int held = s.chunksHeld();
                releases.add(new ReleaseProgress(s.manifestDigest(), held, s.chunkCount(), held == s.chunkCount()));
            }
            Digest early = pending != null && swarms.stream().noneMatch(s -> s.manifestDigest().equals(pending)) ? pending : null;
            if (early != null) {
                releases.add(new ReleaseProgress(early, 0, 0, false)); // its chunk count comes with the manifest
            }
            PeerAddress address = settings.advertisedHost() == null ? PeerAddress.wildcard(network.port())
                    : new PeerAddress(settings.advertisedHost(), network.port());
            AnnounceResponse response = tracker.announce(new AnnounceRequest(settings.peer().peerId(), address,
                    settings.peer().group(), releases, announcedStart ? AnnounceEvent.UPDATE : AnnounceEvent.STARTED));
            announcedStart = true;
            next = response.interval();
            boolean alone = false;
            if (early != null) {
                List<ReleaseSwarm.SwarmAddress> peers = addresses(response, early);
                alone = peers.isEmpty();
                earlyAnswered(early, peers);
            }
            for (ReleaseSwarm s : swarms) {
                if (!s.isComplete()) {
                    List<ReleaseSwarm.SwarmAddress> peers = addresses(response, s.manifestDigest());
                    alone |= peers.isEmpty();
                    s.connect(peers);
                }
            }
            // Alone with a release to fetch: agents that began it a moment after us are not in this
            // list. Ask again soon, then less and less often, up to the tracker's interval.
            if (!alone) {
                lonelyRetry = null;
            } else {
                lonelyRetry = lonelyRetry == null ? LONELY_RETRY_FIRST : lonelyRetry.multipliedBy(2);
                if (lonelyRetry.compareTo(next) < 0) {
                    next = lonelyRetry;
                } else {
                    lonelyRetry = next; // doubled no further: Duration would overflow after half an hour alone
                }
            }
        } catch (Exception e) {
            if (closed) {
                return; // stop() interrupted this announce
            }
            synchronized (earlyLock) {
                if (earlyPeers == null) {
                    earlyRelease = null; // not answered: its swarm announces it when it starts
                }
            }
            log.warn("{}: announce to the tracker failed: {}", settings.name(), e.getMessage());
            next = Duration.ofSeconds(5);
        }
        refreshRevocations();
        if (!closed) {
            nextAnnounce = announcer.schedule(this::announce, next.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private static List<ReleaseSwarm.SwarmAddress> addresses(AnnounceResponse response, Digest release) {
        List<ReleaseSwarm.SwarmAddress> peers = new ArrayList<>();
        for (SwarmPeer p : response.peersFor(release)) {
            peers.add(new ReleaseSwarm.SwarmAddress(p.peerId(), p.address().host(), p.address().port()));
        }
        return peers;
    }

    /**
     * The tracker answered the announce of a release whose manifest was on its way: its swarm dials
     * {@code peers} if it started meanwhile, else they are kept for it ({@link #startEarlyAnnounced}).
     */
    private void earlyAnswered(Digest release, List<ReleaseSwarm.SwarmAddress> peers) {
        synchronized (earlyLock) {
            ReleaseSwarm swarm = current;
            if (swarm != null && swarm.manifestDigest().equals(release)) {
                swarm.connect(peers);
            } else if (release.equals(earlyRelease)) {
                earlyPeers = peers;
                earlyAnsweredAt = System.nanoTime();
            }
        }
    }

    /**
     * {@code swarm} has started: if its release was announced before its manifest arrived, it dials
     * the peers the tracker named (or will, once the tracker answers), and needs no announce of its
     * own. Announcing again now would name the peers that announced since, which are dialing us at
     * this moment, and each pair would connect twice. Unless the manifest took longer than the
     * handshake timeout: those dials have given up by now, and a fresh announce names their peers.
     * Returns whether no announce is needed.
     */
    private boolean startEarlyAnnounced(ReleaseSwarm swarm) {
        synchronized (earlyLock) {
            boolean announced = swarm.manifestDigest().equals(earlyRelease);
            if (announced && earlyPeers != null) {
                swarm.connect(earlyPeers);
                announced = System.nanoTime() - earlyAnsweredAt < settings.peer().handshakeTimeout().toNanos();
            }
            earlyRelease = null;
            earlyPeers = null;
            return announced;
        }
    }

    /**
     * Takes the tracker's revocation list if it is newer than the one held (signed by the CA, a
     * higher CRL number); the network then closes connections to peers it names. Called after
     * each announce, so an agent enforces a revocation within one announce interval of its
     * tracker taking it.
     */
    private void refreshRevocations() {
        try {
            byte[] crl = tracker.revocationList();
            if (crl != null && revocations.update(crl)) {
                log.info("{}: took revocation list number {}: {} certificates revoked", settings.name(), revocations.number(),
                        revocations.size());
            }
        } catch (RevocationListException e) {
            log.warn("{}: refused the tracker's revocation list: {}", settings.name(), e.getMessage());
        } catch (Exception e) {
            if (!closed) {
                log.debug("{}: cannot fetch the revocation list: {}", settings.name(), e.getMessage());
            }
        }
    }

    /** Renews this agent's certificate through the tracker once two thirds of its lifetime are gone. */
    private void renewIfDue() {
        if (!certificates.due()) {
            return;
        }
        try {
            certificates.renewWith(tracker);
            network.reloadCertificate();
        } catch (Exception e) {
            if (!closed) {
                certificates.failed();
                log.warn("{}: cannot renew the certificate (valid until {}): {}", settings.name(), certificates.notAfter(),
                        e.getMessage());
            }
        }
    }

    /** Says goodbye to the tracker and the peers, and stops. */
    @Override
    public void close() {
        stop(true);
    }

    /**
     * Stops at once as a crashed machine would: connections are cut without GOODBYE and the
     * tracker is not told (it drops the agent when its announces stop). For tests of peers that vanish.
     */
    public void kill() {
        stop(false);
    }

    private synchronized void stop(boolean graceful) {
        if (closed) {
            return;
        }
        closed = true;
        if (follower != null) {
            follower.shutdownNow();
            announcer.shutdownNow();
        }
        if (network != null && !graceful) {
            network.close(false);
        }
        try {
            if (graceful && tracker != null && announcedStart) {
                tracker.announce(new AnnounceRequest(settings.peer().peerId(), PeerAddress.wildcard(Math.max(1, network.port())),
                        settings.peer().group(), List.of(), AnnounceEvent.STOPPED));
            }
        } catch (Exception e) {
            log.debug("{}: stopped announce failed: {}", settings.name(), e.getMessage());
        }
        for (ReleaseSwarm s : new ReleaseSwarm[] {current, previous}) {
            if (s != null) {
                s.close();
            }
        }
        if (network != null) {
            network.close();
        }
        if (tracker != null) {
            tracker.close();
        }
        if (origin != null) {
            origin.close();
        }
        if (cacheLock != null) {
            cacheLock.close();
        }
        firstInstall.completeExceptionally(new IOException(settings.name() + " stopped"));
    }
}
