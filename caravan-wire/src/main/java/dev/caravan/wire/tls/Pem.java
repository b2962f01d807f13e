package dev.caravan.wire.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Set;
import java.util.UUID;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/** Reads and writes the PEM files of the CA and of issued certificates; secrets are written 0600. */
final class Pem {
    static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");

    private Pem() {
    }

    static String certificate(X509Certificate cert) throws IOException {
        return encode(cert);
    }

    /** PKCS#8 ({@code -----BEGIN PRIVATE KEY-----}), unencrypted: the key file's permissions protect it. */
    static String privateKey(PrivateKey key) throws IOException {
        return encode(new JcaPKCS8Generator(key, null));
    }

    /** X.509 SubjectPublicKeyInfo ({@code -----BEGIN PUBLIC KEY-----}). */
    static String publicKey(PublicKey key) throws IOException {
        return encode(key);
    }

    private static String encode(Object o) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(o);
        }
        return out.toString();
    }

    static X509Certificate readCertificate(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (CertificateException | ClassCastException e) {
            throw new IOException(file + " is not a PEM X.509 certificate", e);
        }
    }

    static X509Certificate parseCertificate(String pem, String what) throws IOException {
        if (pem == null || pem.length() > 16_384) {
            throw new IOException(what + " is missing or too long");
        }
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new java.io.ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        } catch (CertificateException | ClassCastException e) {
            throw new IOException(what + " is not a PEM X.509 certificate", e);
        }
    }

    /** Every certificate in a PEM file, in order; at least one. */
    static java.util.List<X509Certificate> readCertificates(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            java.util.List<X509Certificate> certs = new java.util.ArrayList<>();
            for (java.security.cert.Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                certs.add((X509Certificate) c);
            }
            if (certs.isEmpty()) {
                throw new IOException(file + " holds no PEM X.509 certificate");
            }
            return certs;
        } catch (CertificateException | ClassCastException e) {
            throw new IOException(file + " is not a PEM X.509 certificate", e);
        }
    }

    static PrivateKey readPrivateKey(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser parser = new PEMParser(r)) {
            Object o = parser.readObject();
            if (o instanceof PrivateKeyInfo info) {
                return new JcaPEMKeyConverter().getPrivateKey(info);
            }
            throw new IOException(file + " is not a PKCS#8 PEM private key (-----BEGIN PRIVATE KEY-----)");
        }
    }

    /**
     * A PKCS#8 private key followed by its public key, as {@link #privateKey} and {@link #publicKey}
     * wrote them into {@code file}; refused unless the two belong together.
     */
    static KeyPair parseKeyPair(String text, Path file) throws IOException {
        try (PEMParser parser = new PEMParser(new java.io.StringReader(text))) {
            Object first = parser.readObject();
            Object second = parser.readObject();
            if (first instanceof PrivateKeyInfo priv && second instanceof SubjectPublicKeyInfo pub) {
                JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
                KeyPair keys = new KeyPair(converter.getPublicKey(pub), converter.getPrivateKey(priv));
                if (belongTogether(keys)) {
                    return keys;
                }
            }
        } catch (IOException | RuntimeException e) {
            // named below
        }
        throw new IOException(file + " is not a PEM private key followed by its public key; remove it to make a new key");
    }

    private static boolean belongTogether(KeyPair keys) {
        try {
            byte[] probe = "caravan".getBytes(StandardCharsets.US_ASCII);
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initSign(keys.getPrivate());
            s.update(probe);
            byte[] signature = s.sign();
            s.initVerify(keys.getPublic());
            s.update(probe);
            return s.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** Writes a file readable by everyone, atomically (temp file, fsync, rename). */
    static void writePublic(Path file, String text) throws IOException {
        write(file, text, false);
    }

    /** Writes a file readable only by its owner (0600 where the file system has POSIX permissions), atomically. */
    static void writeSecret(Path file, String text) throws IOException {
        write(file, text, true);
    }

    /** Creates a folder (and its parents) readable only by its owner, unless it exists. */
    static void createPrivateDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (posix(parent)) {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
        } else {
            Files.createDirectory(dir);
        }
    }

    static boolean posix(Path anyPath) {
        return anyPath != null && anyPath.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    /**
     * Writes and syncs {@code text} into a new temporary file beside {@code file} ({@code 0600} if
     * {@code secret}) and returns it, for the caller to rename over {@code file}.
     */
    static Path stage(Path file, String text, boolean secret) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            writeNew(tmp, text, secret && posix(file) ? PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE) : null);
            return tmp;
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    private static void writeNew(Path tmp, String text, FileAttribute<?> attribute) throws IOException {
        if (attribute != null) {
            Files.createFile(tmp, attribute);
        } else {
            Files.createFile(tmp);
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
            while (bytes.hasRemaining()) {
                ch.write(bytes);
            }
            ch.force(true);
        }
    }

    private static void write(Path file, String text, boolean secret) throws IOException {
        Path tmp = stage(file, text, secret);
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
