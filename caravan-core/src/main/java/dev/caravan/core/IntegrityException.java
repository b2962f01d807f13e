package dev.caravan.core;

import java.io.IOException;

/**
 * An integrity fault: bytes that do not match the digest, size or signature they were promised
 * to have. The message names what was wrong (the chunk, file or path, and both digests).
 *
 * <p>It is an {@link IOException} because it is raised while reading or receiving bytes; the
 * caller's answer is to throw the bytes away and fetch them again elsewhere, never to use them.
 */
public class IntegrityException extends IOException {
    private static final long serialVersionUID = 1L;

    public IntegrityException(String message) {
        super(message);
    }
}
