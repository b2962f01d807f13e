package dev.caravan.agent.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.caravan.agent.Agent;
import dev.caravan.agent.demo.LocalSwarm;
import dev.caravan.agent.demo.SyntheticRelease;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Agents of a {@link LocalSwarm} started for a test, and what a person would check of them: that
 * each installed the release byte for byte, and where its bytes came from.
 */
final class Fleet {
    /** How long a fleet may take to install; a bound for a hang, not a measure of speed. */
    static final Duration INSTALL_WAIT = Duration.ofMinutes(3);

    private Fleet() {
    }

    /** Starts {@code count} agents named {@code prefix0}, {@code prefix1}, ... in the default group. */
    static List<Agent> start(LocalSwarm swarm, String prefix, int count) throws IOException {
        List<Agent> agents = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            agents.add(swarm.startAgent(prefix + i));
        }
        return agents;
    }

    /** Waits until every agent has installed its first release, and fails if one could not. */
    static void awaitInstalls(List<Agent> agents) throws Exception {
        CompletableFuture.allOf(agents.stream().map(Agent::firstInstall).toArray(CompletableFuture[]::new))
                .get(INSTALL_WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** Asserts that the tree each agent's {@code current} points to is {@code source}, byte for byte. */
    static void assertInstalled(List<Agent> agents, Path source) throws IOException {
        SortedMap<String, String> expected = SyntheticRelease.digestTree(source);
        for (Agent a : agents) {
            assertThat(SyntheticRelease.digestTree(a.currentDir().toRealPath()))
                    .as("files %s installed", a.settings().name()).isEqualTo(expected);
        }
    }

    /** Chunk bytes the agents received from peers, summed. */
    static long bytesFromPeers(List<Agent> agents) {
        return agents.stream().mapToLong(a -> a.status().bytesFromPeers()).sum();
    }
}
