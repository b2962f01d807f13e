package dev.caravan.tuf;

/**
 * The signature schemes Caravan signs and verifies, with their TUF {@code keytype} and
 * {@code scheme} strings (tuf-spec 4.2, TAP 9).
 */
public enum KeyType {
    /** Ed25519; the public key is 64 hex characters. The default for new keys. */
    ED25519("ed25519", "ed25519"),
    /** ECDSA on NIST P-256 with SHA-256, DER signatures; the public key is PEM (SubjectPublicKeyInfo). */
    ECDSA_P256("ecdsa", "ecdsa-sha2-nistp256"),
    /** RSASSA-PSS with SHA-256 and MGF1-SHA-256; the public key is PEM, at least 2048 bits. */
    RSA_PSS_SHA256("rsa", "rsassa-pss-sha256");

    private final String keytype;
    private final String scheme;

    KeyType(String keytype, String scheme) {
        this.keytype = keytype;
        this.scheme = scheme;
    }

    /** The {@code keytype} written for new keys. */
    public String keytype() {
        return keytype;
    }

    public String scheme() {
        return scheme;
    }

    /**
     * The key type for a {@code scheme} and {@code keytype} read from metadata, or {@code null}
     * when Caravan does not support the pair. ECDSA keys are accepted with either
     * {@code "ecdsa"} (python-tuf, go-tuf) or {@code "ecdsa-sha2-nistp256"} (the spec's example).
     */
    static KeyType of(String keytype, String scheme) {
        for (KeyType t : values()) {
            if (t.scheme.equals(scheme)
                    && (t.keytype.equals(keytype) || (t == ECDSA_P256 && "ecdsa-sha2-nistp256".equals(keytype)))) {
                return t;
            }
        }
        return null;
    }
}
