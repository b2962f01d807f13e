package dev.caravan.wire.tls;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A one-time join token: what lets a new machine get its first agent certificate from a tracker.
 * The CA signs it; the machine reads from it where the tracker is and which CA to expect (pinning
 * the tracker's certificate chain before sending anything); the tracker checks the signature, the
 * expiry, and that no one used the token before.
 *
 * <pre>
 * token   = "cvj1." base64url(payload) "." base64url(ECDSA-SHA256 signature of payload by the CA key)
 * payload = "tracker=" HOST:PORT "\n" "ca=" sha256-hex(CA certificate DER) "\n" "id=" 32 hex "\n"
 *           "expires=" ISO-8601 instant "\n" "name=" the agent's name "\n"
 * </pre>
 *
 * The token is a bearer secret until it is used or expires: whoever holds it can enroll as
 * {@code name}. It is never logged.
 *
 * @param tracker the tracker's {@code host:port}, as the agent dials it
 * @param caFingerprint SHA-256 of the CA certificate's DER, 64 lowercase hex digits
 * @param id 128 random bits, 32 lowercase hex digits: what the tracker records as spent
 * @param expiresAt the end of its validity, whole seconds
 * @param name the name the certificate will carry (role agent)
 */
public record JoinToken(String tracker, String caFingerprint, String id, Instant expiresAt, String name) {
    static final String PREFIX = "cvj1.";
    /** The longest a token may live: it is a bearer secret. */
    public static final Duration MAX_TTL = Duration.ofDays(7);
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern HEX32 = Pattern.compile("[0-9a-f]{32}");
    private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9a-fA-F:.]+\\]|[A-Za-z0-9.-]{1,253}):[0-9]{1,5}");
    private static final int MAX_TOKEN_CHARS = 1024;
    private static final SecureRandom RANDOM = new SecureRandom();

    public JoinToken {
        Objects.requireNonNull(tracker, "tracker");
        if (!HOST_PORT.matcher(tracker).matches()) {
            throw new IllegalArgumentException("a tracker address is HOST:PORT, e.g. 10.0.0.10:7443; got \"" + tracker + "\"");
        }
        int port = Integer.parseInt(tracker.substring(tracker.lastIndexOf(':') + 1));
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("tracker port must be in 1..65535, got " + port);
        }
        if (caFingerprint == null || !HEX64.matcher(caFingerprint).matches()) {
            throw new IllegalArgumentException("a CA fingerprint is 64 lowercase hex digits");
        }
        if (id == null || !HEX32.matcher(id).matches()) {
            throw new IllegalArgumentException("a token id is 32 lowercase hex digits");
        }
        Objects.requireNonNull(expiresAt, "expiresAt");
        CertificateAuthority.requireName(name);
    }

    /** A new token for {@code name}, with a fresh id, expiring {@code ttl} after {@code now}. */
    public static JoinToken create(String tracker, X509Certificate ca, String name, Instant now, Duration ttl) {
        if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_TTL) > 0) {
            throw new IllegalArgumentException("a join token's lifetime must be positive and at most " + MAX_TTL.toDays()
                    + " days, got " + ttl);
        }
        byte[] id = new byte[16];
        RANDOM.nextBytes(id);
        return new JoinToken(tracker, fingerprint(ca), HexFormat.of().formatHex(id),
                now.plus(ttl).truncatedTo(ChronoUnit.SECONDS), name);
    }

    /** SHA-256 of a certificate's DER, lowercase hex: what {@code caravan ca token} puts in the token. */
    public static String fingerprint(X509Certificate cert) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot hash a certificate", e);
        }
    }

    /** The token's text, signed by {@code caKey}. */
    public String sign(PrivateKey caKey) {
        byte[] payload = payload().getBytes(StandardCharsets.US_ASCII);
        try {
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initSign(caKey);
            s.update(payload);
            Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
            return PREFIX + b64.encodeToString(payload) + "." + b64.encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a join token with the CA key", e);
        }
    }

    /**
     * Reads a token without checking its signature: what a joining machine does, since it has no CA
     * certificate yet (it checks the tracker's chain against {@link #caFingerprint()} instead).
     *
     * @throws EnrollmentException if it is not a well-formed join token
     */
    public static JoinToken read(String text) throws EnrollmentException {
        return parts(text).token();
    }

    /**
     * Reads a token and checks it as a tracker does: signed by {@code ca}'s key, naming {@code ca},
     * and not expired at {@code now}. Whether it was used before is the caller's check.
     *
     * @throws EnrollmentException naming what is wrong
     */
    public static JoinToken verify(String text, X509Certificate ca, Instant now) throws EnrollmentException {
        Parts p = parts(text);
        try {
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initVerify(ca.getPublicKey());
            s.update(p.payload());
            if (!s.verify(p.signature())) {
                throw new EnrollmentException("join token refused: its signature is not the CA's (forged or altered)");
            }
        } catch (GeneralSecurityException e) {
            throw new EnrollmentException("join token refused: its signature is not the CA's (forged or altered)", e);
        }
        JoinToken t = p.token();
        if (!t.caFingerprint().equals(fingerprint(ca))) {
            throw new EnrollmentException("join token refused: it names another CA");
        }
        if (!now.isBefore(t.expiresAt())) {
            throw new EnrollmentException("join token refused: it expired at " + t.expiresAt() + "; ask for a new one");
        }
        return t;
    }

    private record Parts(JoinToken token, byte[] payload, byte[] signature) {
    }

    private static Parts parts(String text) throws EnrollmentException {
        if (text == null || text.length() > MAX_TOKEN_CHARS || !text.startsWith(PREFIX)) {
            throw new EnrollmentException("not a Caravan join token (it starts with \"" + PREFIX + "\" and is at most "
                    + MAX_TOKEN_CHARS + " characters)");
        }
        String[] pieces = text.strip().substring(PREFIX.length()).split("\\.", -1);
        if (pieces.length != 2) {
            throw new EnrollmentException("malformed join token: expected two parts after \"" + PREFIX + "\"");
        }
        byte[] payload;
        byte[] signature;
        try {
            payload = Base64.getUrlDecoder().decode(pieces[0]);
            signature = Base64.getUrlDecoder().decode(pieces[1]);
        } catch (IllegalArgumentException e) {
            throw new EnrollmentException("malformed join token: not base64url", e);
        }
        String[] lines = new String(payload, StandardCharsets.US_ASCII).split("\n", -1);
        String[] keys = {"tracker", "ca", "id", "expires", "name"};
        if (lines.length != keys.length + 1 || !lines[keys.length].isEmpty()) {
            throw new EnrollmentException("malformed join token: expected the fields " + String.join(", ", keys));
        }
        String[] values = new String[keys.length];
        for (int i = 0; i < keys.length; i++) {
            if (!lines[i].startsWith(keys[i] + "=")) {
                throw new EnrollmentException("malformed join token: field " + (i + 1) + " must be " + keys[i]);
            }
            values[i] = lines[i].substring(keys[i].length() + 1);
        }
        try {
            return new Parts(new JoinToken(values[0], values[1], values[2], Instant.parse(values[3]), values[4]), payload, signature);
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new EnrollmentException("malformed join token: " + e.getMessage(), e);
        }
    }

    private String payload() {
        return "tracker=" + tracker + "\nca=" + caFingerprint + "\nid=" + id + "\nexpires=" + expiresAt + "\nname=" + name + "\n";
    }
}
