package dev.caravan.agent.seed;

import java.util.Objects;

/**
 * A choke or unchoke that {@link UploadSlots} decided and the connection layer must send to a
 * peer, in the order given.
 *
 * @param <P> the peer type
 */
public sealed interface ChokeDecision<P> {

    /** The peer the message goes to. */
    P peer();

    /** Let the peer request blocks from us. */
    record Unchoke<P>(P peer) implements ChokeDecision<P> {
        public Unchoke {
            Objects.requireNonNull(peer, "peer");
        }
    }

    /** Stop serving the peer; its outstanding requests are dropped (BEP 3). */
    record Choke<P>(P peer) implements ChokeDecision<P> {
        public Choke {
            Objects.requireNonNull(peer, "peer");
        }
    }
}
