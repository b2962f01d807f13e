package dev.caravan.tuf;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;

/**
 * A private signing key with its public TUF {@link Key}. Its file form is PEM: a PKCS#8
 * {@code PRIVATE KEY} block followed by the {@code PUBLIC KEY} block (the JDK cannot derive an
 * Ed25519 or EC public key from the private one). {@link #toString()} never shows the private key.
 */
record SigningKey(Key key, PrivateKey privateKey) {

    /** A new random key of {@code type}: Ed25519, ECDSA P-256, or RSA 3072 bits. */
    static SigningKey generate(KeyType type) {
        try {
            KeyPairGenerator g = switch (type) {
                case ED25519 -> KeyPairGenerator.getInstance("Ed25519");
                case ECDSA_P256 -> {
                    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
                    ec.initialize(new ECGenParameterSpec("secp256r1"));
                    yield ec;
                }
                case RSA_PSS_SHA256 -> {
                    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
                    rsa.initialize(3072);
                    yield rsa;
                }
            };
            KeyPair kp = g.generateKeyPair();
            return new SigningKey(Key.of(type, kp.getPublic()), kp.getPrivate());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot generate " + type + " keys", e);
        }
    }

    String keyid() {
        return key.keyid();
    }

    /** The signature of {@code message} in the key's scheme (DER for ECDSA, PSS salt 32 for RSA). */
    byte[] sign(byte[] message) {
        try {
            Signature s = switch (key.type()) {
                case ED25519 -> Signature.getInstance("Ed25519");
                case ECDSA_P256 -> Signature.getInstance("SHA256withECDSA");
                case RSA_PSS_SHA256 -> {
                    Signature pss = Signature.getInstance("RSASSA-PSS");
                    pss.setParameter(Key.pssParameters(32));
                    yield pss;
                }
            };
            s.initSign(privateKey);
            s.update(message);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with key " + key.keyid(), e);
        }
    }

    /** The key file's text: PKCS#8 private key then public key, both PEM. */
    String toPem() {
        return Pem.encode("PRIVATE KEY", privateKey.getEncoded()) + Pem.encode("PUBLIC KEY", key.publicKey().getEncoded());
    }

    /** Reads a key file written by {@link #toPem()}; {@code name} is for messages only. */
    static SigningKey fromPem(String name, byte[] pemText) throws TufException.BadFormat {
        String text = new String(pemText, StandardCharsets.US_ASCII);
        byte[] priv = Pem.decode(text, "PRIVATE KEY");
        byte[] pub = Pem.decode(text, "PUBLIC KEY");
        if (priv == null || pub == null) {
            throw new TufException.BadFormat("key file " + name + " needs a PRIVATE KEY and a PUBLIC KEY PEM block");
        }
        for (KeyType type : KeyType.values()) {
            String algorithm = switch (type) {
                case ED25519 -> "Ed25519";
                case ECDSA_P256 -> "EC";
                case RSA_PSS_SHA256 -> "RSA";
            };
            try {
                KeyFactory f = KeyFactory.getInstance(algorithm);
                PrivateKey privateKey = f.generatePrivate(new PKCS8EncodedKeySpec(priv));
                PublicKey publicKey = f.generatePublic(new X509EncodedKeySpec(pub));
                SigningKey k = new SigningKey(Key.of(type, publicKey), privateKey);
                byte[] probe = "caravan key check".getBytes(StandardCharsets.US_ASCII);
                if (!k.key().verify(probe, k.sign(probe))) {
                    throw new TufException.BadFormat("key file " + name + " holds a public key that does not match its private key");
                }
                return k;
            } catch (GeneralSecurityException | IllegalStateException e) {
                // not this algorithm; try the next one
            }
        }
        throw new TufException.BadFormat("key file " + name + " holds no Ed25519, EC P-256 or RSA key");
    }

    @Override
    public String toString() {
        return "SigningKey[" + key.type() + " " + key.keyid() + "]";
    }
}
