package dev.caravan.core.manifest;

import java.io.IOException;

/** A manifest that cannot be read: not JSON, an unknown format, or a field that breaks the rules; the message says which. */
public final class ManifestException extends IOException {
    private static final long serialVersionUID = 1L;

    public ManifestException(String message) {
        super(message);
    }
}
