package dev.caravan.wire.tls;

/** A revocation list that cannot be trusted: not a CRL, not signed by the deployment's CA, or unnumbered. */
public final class RevocationListException extends Exception {
    public RevocationListException(String message) {
        super(message);
    }

    public RevocationListException(String message, Throwable cause) {
        super(message, cause);
    }
}
