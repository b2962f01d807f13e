package dev.caravan.origin.publish;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.core.ReleaseId;
import dev.caravan.core.chunk.ChunkStore;
import dev.caravan.core.chunk.ChunkingConfig;
import dev.caravan.core.manifest.Manifest;
import dev.caravan.core.manifest.ReleaseChunker;
import dev.caravan.tuf.NewTarget;
import dev.caravan.tuf.PublishResult;
import dev.caravan.tuf.RepositoryWriter;
import dev.caravan.tuf.TargetInfo;
import dev.caravan.tuf.TufException;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/**
 * The publisher: turns a file or a folder into a release of a repository. It chunks the content
 * into the repository's {@code chunks/} (storing only chunks it lacks), writes the manifest as a
 * TUF target whose {@code custom} field names the product, version and channel, and signs new
 * targets, snapshot and timestamp versions.
 *
 * <p>A version, once published, is immutable: publishing the same content again under the same
 * version changes nothing, and different content under a published version is refused.
 */
public final class Publisher {
    private final RepositoryWriter writer;
    private final ChunkingConfig chunking;
    private final Clock clock;

    /**
     * What a publish did.
     *
     * @param manifest the release's manifest (the published one when it was already there)
     * @param newChunks chunks added to the repository by this publish
     * @param newBytes bytes those chunks hold
     * @param alreadyPublished true when this exact release was already published: nothing written
     * @param metadata the metadata versions after the publish
     */
    public record Result(Manifest manifest, int newChunks, long newBytes, boolean alreadyPublished, PublishResult metadata) {}

    public Publisher(RepositoryWriter writer, ChunkingConfig chunking, Clock clock) {
        this.writer = writer;
        this.chunking = chunking;
        this.clock = clock;
    }

    /** Publishes {@code source} as {@code release} on {@code channel}, signing with the keys in {@code keysDir}. */
    public Result publish(Path keysDir, Path repoDir, ReleaseId release, String channel, Path source)
            throws IOException, TufException {
        ReleaseId.requireChannel(channel);
        if (!Files.exists(source)) {
            throw new IOException("nothing to publish at " + source + ": no such file or folder");
        }
        String name = release.manifestTargetName();
        TargetInfo existing = RepositoryWriter.targets(repoDir).get(name);
        Path chunkDir = repoDir.resolve("chunks");
        boolean firstPublish = !Files.exists(chunkDir, LinkOption.NOFOLLOW_LINKS);
        ReleaseChunker.Result chunked;
        try {
            chunked = new ReleaseChunker(new ChunkStore(chunkDir), chunking)
                    .chunk(source, release, channel, clock.instant().truncatedTo(ChronoUnit.SECONDS));
        } catch (IOException | RuntimeException e) {
            if (firstPublish) {
                // The tree was refused before any chunk was stored: leave the repository as it was.
                try {
                    Files.deleteIfExists(chunkDir);
                } catch (DirectoryNotEmptyException kept) {
                    // chunks were stored before the failure; they are valid and a retry reuses them
                }
            }
            throw e;
        }
        Manifest manifest = chunked.manifest();
        if (existing != null) {
            Manifest published = Manifest.parse(Files.readAllBytes(RepositoryWriter.targetFile(repoDir, existing)));
            if (!published.releaseId().equals(release)) {
                throw new IOException("cannot publish " + release + ": its target name " + name + " is taken by "
                        + published.releaseId() + "; choose a product or version that does not collide");
            }
            if (!sameContent(published, manifest)) {
                throw new IOException(release + " is already published with other content (or channel); "
                        + "a published version never changes: publish this one as a new version");
            }
            return new Result(published, chunked.newChunks(), chunked.newBytes(), true,
                    writer.addTargets(keysDir, repoDir, Map.of()));
        }
        PublishResult metadata = writer.addTargets(keysDir, repoDir,
                Map.of(name, new NewTarget(manifest.toCanonicalJson(), custom(manifest))));
        return new Result(manifest, chunked.newChunks(), chunked.newBytes(), false, metadata);
    }

    /** The {@code custom} field of a manifest's target: what a client chooses a release by. */
    static ObjectNode custom(Manifest manifest) {
        ObjectNode custom = JsonNodeFactory.instance.objectNode();
        custom.put("product", manifest.product());
        custom.put("version", manifest.version());
        custom.put("channel", manifest.channel());
        custom.put("release_bytes", manifest.totalBytes());
        return custom;
    }

    private static boolean sameContent(Manifest a, Manifest b) {
        return a.channel().equals(b.channel()) && a.files().equals(b.files()) && a.chunks().equals(b.chunks());
    }
}
