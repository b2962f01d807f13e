/**
 * The agent's local HTTP API: what {@code caravan status}, a dashboard and Prometheus read.
 *
 * <pre>
 * GET /status    the agent's status as JSON ({@link dev.caravan.agent.api.StatusJson})
 * GET /metrics   the same figures in the Prometheus text format
 * other paths    404; other methods 405
 * </pre>
 *
 * <p>The API has no authentication and no TLS: it is meant for {@code 127.0.0.1} (the default
 * {@code api.listen}). It only reads, but what it tells (releases, peers, traffic) is the
 * fleet's business, so {@link dev.caravan.agent.api.ApiServer} warns when it is bound to any
 * other address.
 */
package dev.caravan.agent.api;
