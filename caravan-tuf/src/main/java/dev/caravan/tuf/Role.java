package dev.caravan.tuf;

import java.util.Locale;

/** One of the four top-level TUF roles, whose keys the root metadata lists. */
public enum Role {
    ROOT, TARGETS, SNAPSHOT, TIMESTAMP;

    /** The role's name in metadata ({@code "root"}, {@code "targets"}, ...). */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The role's metadata file name without a version prefix, e.g. {@code timestamp.json}. */
    public String fileName() {
        return id() + ".json";
    }

    /** The role named {@code id} ({@code root}, {@code targets}, ...), case-insensitive. */
    public static Role of(String id) {
        for (Role r : values()) {
            if (r.id().equalsIgnoreCase(id)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown role \"" + id + "\": expected root, targets, snapshot or timestamp");
    }
}
