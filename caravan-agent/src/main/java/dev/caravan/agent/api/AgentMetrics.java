package dev.caravan.agent.api;

import dev.caravan.agent.Agent;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The agent's figures as Prometheus metrics, for {@code GET /metrics}:
 *
 * <pre>
 * caravan_peers                              gauge    open peer connections
 * caravan_uploaded_bytes_total               counter  chunk bytes sent to peers since start, every release
 * caravan_from_peers_bytes_total{release}    counter  the release's bytes received from peers
 * caravan_from_origin_bytes_total{release}   counter  the release's bytes received from the origin
 * caravan_chunks_held{release}               gauge    the release's chunks held verified
 * caravan_chunks{release}                    gauge    the release's chunk count
 * caravan_offload_ratio{release}             gauge    from peers / (from peers + from origin), 0 to 1
 * </pre>
 *
 * {@code release} is {@code "PRODUCT VERSION"}. The agent counts bytes per release, so each
 * release has its own series, and a release's series go when the agent moves to the next one:
 * sum over {@code release} with {@code increase()} for fleet totals.
 *
 * <p>One status snapshot is taken per scrape, so the figures of one scrape agree with each other.
 */
final class AgentMetrics {
    private static final String RELEASE = "release";

    private final Supplier<Agent.Status> status;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final List<Meter> releaseMeters = new ArrayList<>();
    private volatile Agent.Status snapshot;
    private String release;

    AgentMetrics(Supplier<Agent.Status> status) {
        this.status = Objects.requireNonNull(status, "status");
        this.snapshot = status.get();
        Gauge.builder("caravan.peers", this, m -> m.snapshot.peers())
                .description("Open peer connections").register(registry);
        FunctionCounter.builder("caravan.uploaded", this, m -> m.snapshot.bytesUploaded()).baseUnit("bytes")
                .description("Chunk bytes sent to peers since the agent started, every release").register(registry);
    }

    /** The metrics now, in the Prometheus text format (version 0.0.4). */
    synchronized String scrape() {
        Agent.Status now = status.get();
        snapshot = now;
        if (!Objects.equals(now.release(), release)) {
            releaseMeters.forEach(registry::remove);
            releaseMeters.clear();
            release = now.release();
            if (release != null) {
                registerReleaseMeters(Tags.of(RELEASE, release));
            }
        }
        return registry.scrape();
    }

    private void registerReleaseMeters(Tags tags) {
        releaseMeters.add(FunctionCounter.builder("caravan.from.peers", this, m -> m.snapshot.bytesFromPeers())
                .baseUnit("bytes").tags(tags).description("The release's bytes received from peers, every group")
                .register(registry));
        releaseMeters.add(FunctionCounter.builder("caravan.from.origin", this, m -> m.snapshot.bytesFromOrigin())
                .baseUnit("bytes").tags(tags).description("The release's bytes received from the origin")
                .register(registry));
        releaseMeters.add(Gauge.builder("caravan.chunks.held", this, m -> m.snapshot.chunksHeld()).tags(tags)
                .description("The release's chunks held verified").register(registry));
        releaseMeters.add(Gauge.builder("caravan.chunks", this, m -> m.snapshot.chunks()).tags(tags)
                .description("The release's chunk count").register(registry));
        releaseMeters.add(Gauge.builder("caravan.offload", this,
                        m -> StatusJson.offloadPercent(m.snapshot).orElse(Double.NaN) / 100)
                .baseUnit("ratio").tags(tags)
                .description("The share of the release's received bytes that came from peers (NaN before any)")
                .register(registry));
    }
}
