package dev.caravan.tracker;

import java.util.Locale;

/** Why an agent announces: it has just started, it is still there, or it is leaving. */
public enum AnnounceEvent {
    /** The agent's first announce since it started. Treated like {@link #UPDATE}. */
    STARTED,
    /** A periodic or progress announce; the default when a request names no event. */
    UPDATE,
    /** The agent is leaving: the tracker forgets it at once instead of after the peer TTL. */
    STOPPED;

    /** The lowercase name used in the JSON API. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The event with this label, or {@code null} if there is none. */
    static AnnounceEvent byLabel(String label) {
        for (AnnounceEvent e : values()) {
            if (e.label().equals(label)) {
                return e;
            }
        }
        return null;
    }
}
