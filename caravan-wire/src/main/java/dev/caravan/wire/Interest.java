package dev.caravan.wire;

import dev.caravan.core.Digest;
import java.util.Objects;

/**
 * INTEREST: the release this connection is about, named by its manifest's digest. The dialer
 * sends it once, right after HELLO; every chunk index on the connection then refers to that
 * manifest's distinct chunk list.
 *
 * <p>Layout: {@code manifest digest (32 bytes, SHA-256)}.
 *
 * @param manifest the SHA-256 of the manifest file as published (its TUF target's hash)
 */
public record Interest(Digest manifest) implements Message {
    static final int PAYLOAD_BYTES = 32;

    public Interest {
        Objects.requireNonNull(manifest, "manifest");
    }
}
