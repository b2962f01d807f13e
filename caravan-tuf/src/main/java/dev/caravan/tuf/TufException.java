package dev.caravan.tuf;

/**
 * A failure of the TUF client or publisher whose message is one line naming the metadata file
 * (or target) and what was wrong with it, for example
 * {@code "timestamp.json version 3 is older than the trusted version 5 (rollback)"}.
 *
 * <p>The nested subclasses sort failures by the attack or fault they reveal, so callers and
 * tests can tell them apart without parsing messages.
 */
public class TufException extends Exception {

    public TufException(String message) {
        super(message);
    }

    public TufException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Fewer valid signatures than the role's threshold (arbitrary software, key compromise). */
    public static final class BadSignature extends TufException {
        public BadSignature(String message) {
            super(message);
        }
    }

    /** A version older than the trusted one (rollback attack). */
    public static final class Rollback extends TufException {
        public Rollback(String message) {
            super(message);
        }
    }

    /** Metadata whose expiry is not after the update's fixed start time (freeze attack). */
    public static final class Expired extends TufException {
        public Expired(String message) {
            super(message);
        }
    }

    /**
     * A file whose length or hash differs from what the metadata that refers to it lists
     * (arbitrary software, mix-and-match).
     */
    public static final class BadHash extends TufException {
        public BadHash(String message) {
            super(message);
        }
    }

    /** A metadata version different from the one its referrer lists (mix-and-match). */
    public static final class VersionMismatch extends TufException {
        public VersionMismatch(String message) {
            super(message);
        }
    }

    /** A file larger than the limit allowed for it (endless data attack). */
    public static final class TooLarge extends TufException {
        public TooLarge(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Metadata that is not well-formed TUF 1.0 (missing or mistyped field, unknown type...). */
    public static final class BadFormat extends TufException {
        public BadFormat(String message) {
            super(message);
        }

        public BadFormat(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A file could not be fetched (not found, transport failure). */
    public static final class Download extends TufException {
        public Download(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** No trusted targets metadata describes the requested target. */
    public static class TargetNotFound extends TufException {
        public TargetNotFound(String message) {
            super(message);
        }
    }
}
