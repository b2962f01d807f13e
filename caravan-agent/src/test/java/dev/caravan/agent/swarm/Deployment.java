package dev.caravan.agent.swarm;

import dev.caravan.agent.demo.LocalSwarm;
import dev.caravan.agent.demo.SyntheticRelease;
import dev.caravan.core.chunk.ChunkStore;
import dev.caravan.core.manifest.Manifest;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A {@link LocalSwarm} with one release published, as a swarm test starts it: the release's tree is
 * written to {@code source} under the test's folder and published as version 1.0.0.
 *
 * @param source the release's tree, which every install must equal
 * @param manifest the published release's manifest
 */
record Deployment(LocalSwarm swarm, Path source, Manifest manifest) implements AutoCloseable {
    static Deployment start(Path dir, SyntheticRelease release, LocalSwarm.Options options) throws IOException {
        Path source = dir.resolve("source");
        release.writeTo(source);
        LocalSwarm swarm = LocalSwarm.start(dir.resolve("work"), options);
        try {
            return new Deployment(swarm, source, swarm.publish(source, "1.0.0").manifest());
        } catch (IOException | RuntimeException e) {
            swarm.close();
            throw e;
        }
    }

    /** The repository's chunks, where a fake peer finds the true bytes. */
    ChunkStore repositoryChunks() throws IOException {
        return new ChunkStore(swarm.repo().resolve("chunks"));
    }

    int trackerPort() {
        return swarm.tracker().address().getPort();
    }

    @Override
    public void close() {
        swarm.close();
    }
}
