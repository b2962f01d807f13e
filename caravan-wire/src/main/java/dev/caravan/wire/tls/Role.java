package dev.caravan.wire.tls;

import java.util.Locale;

/**
 * What a certificate's holder is in the deployment. The CA writes it into the certificate's subject
 * as the organizational unit ({@code OU=agent}); a TLS endpoint checks it at the handshake, so that
 * an agent's certificate cannot pass for a tracker's.
 */
public enum Role {
    /** A fleet machine: downloads, seeds, talks to peers and announces to the tracker. */
    AGENT,
    /** A tracker: hands out peer lists to agents. */
    TRACKER;

    /** The lowercase name, as written in certificates and typed on the command line. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The role with this label ({@code agent} or {@code tracker}). */
    public static Role parse(String label) {
        for (Role r : values()) {
            if (r.label().equals(label)) {
                return r;
            }
        }
        throw new IllegalArgumentException("a role is \"agent\" or \"tracker\", got " + (label == null ? "null" : "\"" + label + "\""));
    }
}
