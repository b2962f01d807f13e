package dev.caravan.wire.tls;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * PKCS#10 certificate requests (RFC 2986): how an agent asks for a certificate without its private
 * key ever leaving the machine. The request carries the public key and is signed by the private
 * one, which proves possession.
 */
public final class CertificateRequests {
    /** A request is a few hundred bytes; anything larger is refused before parsing. */
    public static final int MAX_REQUEST_BYTES = 4096;

    private CertificateRequests() {
    }

    /** A new EC P-256 key pair, made on this machine. */
    public static KeyPair newKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot make EC P-256 keys", e);
        }
    }

    /** The DER of a request for {@code keys}' public key, signed with its private key, asking for {@code CN=name}. */
    public static byte[] create(KeyPair keys, String name) {
        try {
            return new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + CertificateAuthority.requireName(name)),
                    keys.getPublic()).build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())).getEncoded();
        } catch (OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot make a certificate request", e);
        }
    }

    /** The public key of a request whose signature checks (proof that the requester holds the private key); refuses anything else. */
    public static PublicKey verifiedKey(byte[] der) throws EnrollmentException {
        if (der == null || der.length == 0 || der.length > MAX_REQUEST_BYTES) {
            throw new EnrollmentException("certificate request must be 1.." + MAX_REQUEST_BYTES + " bytes of DER");
        }
        try {
            JcaPKCS10CertificationRequest csr = new JcaPKCS10CertificationRequest(new PKCS10CertificationRequest(der));
            PublicKey key = csr.getPublicKey();
            if (!"EC".equals(key.getAlgorithm())) {
                throw new EnrollmentException("certificate request key must be EC P-256, got " + key.getAlgorithm());
            }
            if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key))) {
                throw new EnrollmentException("certificate request signature does not match its key");
            }
            return key;
        } catch (IOException | GeneralSecurityException | OperatorCreationException | PKCSException | RuntimeException e) {
            throw new EnrollmentException("malformed certificate request: " + e.getMessage(), e);
        }
    }
}
