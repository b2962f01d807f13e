/**
 * The tracker: membership only. Agents announce which releases they hold, in which group and at
 * which address; the tracker answers, per release, an ordered list of peers to dial (same group
 * first) and when to announce again. An agent that stops announcing drops out.
 *
 * <ul>
 *   <li>{@link dev.caravan.tracker.TrackerServer} with {@link dev.caravan.tracker.TrackerConfig}:
 *       the HTTPS JSON API over mutual TLS (agents only).</li>
 *   <li>{@link dev.caravan.tracker.TrackerClient}: what an agent calls to announce.</li>
 *   <li>{@link dev.caravan.tracker.PeerStore}: where membership lives
 *       ({@link dev.caravan.tracker.MemoryPeerStore}; Redis later).</li>
 *   <li>{@link dev.caravan.tracker.PeerHandoutPolicy}: how a peer list is chosen and ordered.</li>
 * </ul>
 *
 * <p>The API is described in this module's README.
 */
package dev.caravan.tracker;
