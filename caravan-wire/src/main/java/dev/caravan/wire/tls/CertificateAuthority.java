package dev.caravan.wire.tls;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The deployment's certificate authority: a folder holding the CA's key and certificate, from which
 * it issues the short-lived certificates that agents and trackers present to each other.
 *
 * <p>The CA folder ({@code 0700}) holds {@value #CA_KEY} (PKCS#8 PEM, {@code 0600}), {@value #CA_CERT}
 * (PEM) and {@value #ISSUED_LOG}, one line per issued certificate:
 * {@code issued_at TAB serial_hex TAB role TAB name TAB not_before TAB not_after}, which revocation
 * {@code caravan ca revoke} reads, and {@value RevocationList#FILE}, the signed revocation list. Keep the
 * folder off the fleet: whoever reads {@code ca.key} can enroll anything. The tracker that enrolls
 * agents holds it (docs/decisions/005-the-tracker-holds-the-issuing-key.md).
 *
 * <pre>
 * CA:     EC P-256, self-signed X.509 v3, CN=Caravan CA xxxxxxxx, O=caravan, 10 years,
 *         BasicConstraints CA:true pathlen:0 (critical), KeyUsage keyCertSign+cRLSign (critical)
 * issued: EC P-256, CN=name, OU=role, O=caravan, SAN DNS:name (+ IP addresses), 30 days by default,
 *         BasicConstraints CA:false, KeyUsage digitalSignature (critical), EKU serverAuth+clientAuth
 * both:   SHA256withECDSA, random positive 128-bit serial, notBefore 5 minutes in the past (clock skew)
 * </pre>
 */
public final class CertificateAuthority {
    public static final String CA_KEY = "ca.key";
    public static final String CA_CERT = "ca.crt";
    public static final String ISSUED_LOG = "issued.log";
    public static final Duration CA_VALIDITY = Duration.ofDays(3650);
    /** Issued certificates are short-lived: renewing often is what makes a lost key matter little. */
    public static final Duration DEFAULT_VALIDITY = Duration.ofDays(30);
    /** How far in the past a certificate's validity starts, for machines whose clocks are a little behind. */
    static final Duration BACKDATE = Duration.ofMinutes(5);
    private static final String SIGNATURE = "SHA256withECDSA";
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final SecureRandom RANDOM = new SecureRandom();

    private CertificateAuthority() {
    }

    /**
     * Creates a CA in {@code dir} (made {@code 0700} if missing): a new key and its self-signed
     * certificate. Refuses a folder that already holds a CA, and an existing folder that others can read.
     *
     * @return the CA's certificate
     */
    public static X509Certificate init(Path dir) throws IOException {
        if (Files.exists(dir.resolve(CA_KEY)) || Files.exists(dir.resolve(CA_CERT))) {
            throw new FileAlreadyExistsException(dir.toString(), null,
                    "already holds a CA (" + CA_KEY + ", " + CA_CERT + "); refusing to overwrite it");
        }
        if (Files.isDirectory(dir) && Pem.posix(dir)) {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir);
            if (!Pem.OWNER_ONLY_DIR.containsAll(perms)) {
                throw new IOException("CA folder " + dir + " is open to others (" + PosixFilePermissions.toString(perms)
                        + "); chmod 700 it or choose a new folder");
            }
        }
        Pem.createPrivateDirectory(dir);
        KeyPair keys = newKeyPair();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        byte[] id = new byte[4];
        RANDOM.nextBytes(id);
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "caravan")
                .addRDN(BCStyle.CN, "Caravan CA " + HexFormat.of().formatHex(id))
                .build();
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, newSerial(), Date.from(now.minus(BACKDATE)),
                    Date.from(now.plus(CA_VALIDITY)), subject, keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
            X509Certificate cert = sign(b, keys.getPrivate());
            Pem.writeSecret(dir.resolve(CA_KEY), Pem.privateKey(keys.getPrivate()));
            Pem.writePublic(dir.resolve(CA_CERT), Pem.certificate(cert));
            RevocationList.writeEmpty(dir, cert, keys.getPrivate(), now);
            return cert;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make the CA certificate", e);
        }
    }

    /**
     * Issues a certificate valid from now for {@code validity}, with no IP address; see
     * {@link #issue(Path, String, Role, List, Path, Duration)}.
     */
    public static IssuedCertificate issue(Path caDir, String name, Role role, Path outDir, Duration validity) throws IOException {
        return issue(caDir, name, role, List.of(), outDir, validity);
    }

    /**
     * Issues a new key and certificate for {@code name} in {@code role}, signed by the CA in
     * {@code caDir}, and writes {@code NAME.key} ({@code 0600}), {@code NAME.crt} and a copy of
     * {@code ca.crt} into {@code outDir} (made {@code 0700} if missing), replacing a previous
     * certificate of that name there (renewal). The serial is appended to the CA's {@value #ISSUED_LOG}.
     *
     * @param name the holder's name, as {@link #requireName} allows
     * @param ipAddresses addresses to add as IP subject alternative names, perhaps none
     * @param validity how long the certificate is valid, positive and ending before the CA's certificate does
     */
    public static IssuedCertificate issue(Path caDir, String name, Role role, List<InetAddress> ipAddresses, Path outDir,
            Duration validity) throws IOException {
        Objects.requireNonNull(validity, "validity");
        if (validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("validity must be positive, got " + validity);
        }
        Instant now = Clock.systemUTC().instant().truncatedTo(ChronoUnit.SECONDS);
        return issue(caDir, name, role, ipAddresses, outDir, now.minus(BACKDATE), now.plus(validity));
    }

    /** Issues with an explicit validity, which may lie in the past: for tests of expired certificates. */
    static IssuedCertificate issue(Path caDir, String name, Role role, List<InetAddress> ipAddresses, Path outDir,
            Instant notBefore, Instant notAfter) throws IOException {
        requireName(name);
        Objects.requireNonNull(role, "role");
        List<InetAddress> ips = List.copyOf(ipAddresses);
        if (!notAfter.isAfter(notBefore)) {
            throw new IllegalArgumentException("notAfter " + notAfter + " must come after notBefore " + notBefore);
        }
        X509Certificate caCert = Pem.readCertificate(caDir.resolve(CA_CERT));
        PrivateKey caKey = Pem.readPrivateKey(caDir.resolve(CA_KEY));
        if (notAfter.isAfter(caCert.getNotAfter().toInstant())) {
            throw new IllegalArgumentException("a certificate valid until " + notAfter + " would outlive the CA's, which ends "
                    + caCert.getNotAfter().toInstant());
        }
        KeyPair keys = newKeyPair();
        BigInteger serial = newSerial();
        X509Certificate cert = leaf(caCert, caKey, serial, name, role, ips, keys.getPublic(), notBefore, notAfter);
        Pem.createPrivateDirectory(outDir);
        TlsFiles files = TlsFiles.in(outDir, name);
        Pem.writeSecret(files.privateKey(), Pem.privateKey(keys.getPrivate()));
        Pem.writePublic(files.certificate(), Pem.certificate(cert));
        if (!Files.exists(files.ca()) || !Files.isSameFile(files.ca(), caDir.resolve(CA_CERT))) {
            Pem.writePublic(files.ca(), Files.readString(caDir.resolve(CA_CERT), StandardCharsets.US_ASCII));
        }
        recordIssued(caDir, Instant.now(), serial, role, name, notBefore, notAfter);
        return new IssuedCertificate(name, role, serial, notBefore, notAfter, files);
    }

    /**
     * Issues a certificate for a key the holder made and kept: the public key of a PKCS#10 request
     * whose signature proves the requester holds the private key. The name and role are the
     * caller's (a join token's, or the name of the certificate being renewed), never the request's
     * subject. The serial is appended to {@value #ISSUED_LOG}.
     *
     * @throws EnrollmentException if the request is malformed or its signature does not match its key
     */
    public static X509Certificate issueForRequest(Path caDir, byte[] pkcs10, String name, Role role, Instant now,
            Duration validity) throws IOException, EnrollmentException {
        requireName(name);
        PublicKey key = CertificateRequests.verifiedKey(pkcs10);
        X509Certificate caCert = Pem.readCertificate(caDir.resolve(CA_CERT));
        PrivateKey caKey = Pem.readPrivateKey(caDir.resolve(CA_KEY));
        Instant start = now.truncatedTo(ChronoUnit.SECONDS);
        Instant notAfter = start.plus(validity);
        if (notAfter.isAfter(caCert.getNotAfter().toInstant())) {
            notAfter = caCert.getNotAfter().toInstant();
        }
        BigInteger serial = newSerial();
        X509Certificate cert = leaf(caCert, caKey, serial, name, role, List.of(), key, start.minus(BACKDATE), notAfter);
        recordIssued(caDir, now, serial, role, name, start.minus(BACKDATE), notAfter);
        return cert;
    }

    /**
     * A new join token for an agent named {@code name}, to enroll through the tracker at {@code tracker}
     * ({@code host:port}), valid for {@code ttl}; signed by the CA key. The text is a secret.
     */
    public static String joinToken(Path caDir, String tracker, String name, Duration ttl) throws IOException {
        X509Certificate caCert = Pem.readCertificate(caDir.resolve(CA_CERT));
        return JoinToken.create(tracker, caCert, name, Clock.systemUTC().instant(), ttl).sign(readKey(caDir));
    }

    /** The CA's private key, for signing join tokens and revocation lists (never leaves this package's callers' process). */
    static PrivateKey readKey(Path caDir) throws IOException {
        return Pem.readPrivateKey(caDir.resolve(CA_KEY));
    }

    private static X509Certificate leaf(X509Certificate caCert, PrivateKey caKey, BigInteger serial, String name, Role role,
            List<InetAddress> ips, PublicKey key, Instant notBefore, Instant notAfter) {
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "caravan")
                .addRDN(BCStyle.OU, role.label())
                .addRDN(BCStyle.CN, name)
                .build();
        List<GeneralName> sans = new ArrayList<>();
        sans.add(new GeneralName(GeneralName.dNSName, name));
        for (InetAddress ip : ips) {
            sans.add(new GeneralName(GeneralName.iPAddress, ip.getHostAddress()));
        }
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(caCert, serial, Date.from(notBefore), Date.from(notAfter),
                    subject, key)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false,
                            new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(key))
                    .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCert));
            return sign(b, caKey);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot make the certificate of " + name, e);
        }
    }

    /**
     * Checks a holder's name: a lowercase DNS name (labels of a-z, 0-9 and inner '-', at most 63
     * characters each, joined by '.'; at most 253 characters in all), other than {@code ca}. It is the
     * certificate's CN and DNS SAN and the start of its file names.
     *
     * @return the name
     */
    public static String requireName(String name) {
        boolean ok = name != null && !name.isEmpty() && name.length() <= 253 && !name.equals("ca");
        if (ok) {
            for (String label : name.split("\\.", -1)) {
                ok &= LABEL.matcher(label).matches();
            }
        }
        if (!ok) {
            throw new IllegalArgumentException("a certificate name is a lowercase DNS name such as \"agent-042\" or "
                    + "\"tracker.example.org\" (a-z, 0-9, '-', '.'), other than \"ca\"; got "
                    + (name == null ? "null" : "\"" + (name.length() > 80 ? name.substring(0, 80) + "…" : name) + "\""));
        }
        return name;
    }

    private static void recordIssued(Path caDir, Instant at, BigInteger serial, Role role, String name, Instant notBefore,
            Instant notAfter) throws IOException {
        String line = String.join("\t", at.truncatedTo(ChronoUnit.SECONDS).toString(), serial.toString(16), role.label(), name,
                notBefore.toString(), notAfter.toString()) + "\n";
        Files.writeString(caDir.resolve(ISSUED_LOG), line, StandardCharsets.US_ASCII,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key) throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder(SIGNATURE).build(key)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException("cannot sign with " + SIGNATURE, e);
        }
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot make EC P-256 keys", e);
        }
    }

    /** A random positive serial of 128 bits (RFC 5280 4.1.2.2: positive, at most 20 octets). */
    private static BigInteger newSerial() {
        BigInteger serial;
        do {
            serial = new BigInteger(128, RANDOM);
        } while (serial.signum() == 0);
        return serial;
    }
}
