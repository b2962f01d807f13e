package dev.caravan.wire.tls;

/** A join token or certificate request that is refused: forged, tampered, expired, spent, or malformed. */
public final class EnrollmentException extends Exception {
    public EnrollmentException(String message) {
        super(message);
    }

    public EnrollmentException(String message, Throwable cause) {
        super(message, cause);
    }
}
