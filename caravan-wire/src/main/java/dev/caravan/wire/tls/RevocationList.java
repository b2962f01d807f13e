package dev.caravan.wire.tls;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

/**
 * The CA's revocation list, {@value #FILE} in the CA folder: an X.509 v2 CRL (RFC 5280 §5) signed
 * by the CA key, each new one with a higher CRL number. {@code caravan ca init} writes an empty one
 * (number 0); {@code caravan ca revoke} adds serials. Trackers read it and hand it to agents, who
 * check it with {@link Revocations}.
 *
 * <p>{@code nextUpdate} is set {@value #NEXT_UPDATE_DAYS} days ahead, as RFC 5280 asks, but nobody
 * refuses an older list: a list is only replaced by a newer one, never expires into "nothing is
 * revoked".
 */
public final class RevocationList {
    public static final String FILE = "crl.pem";
    static final int NEXT_UPDATE_DAYS = 30;

    /**
     * What a revocation did.
     *
     * @param serials the serials now revoked by this call (perhaps several certificates of one name)
     * @param names the names they were issued to
     * @param number the new list's CRL number
     */
    public record Revoked(List<BigInteger> serials, List<String> names, BigInteger number) {
    }

    private RevocationList() {
    }

    /** Writes an empty list, number 0, into {@code caDir}. */
    static void writeEmpty(Path caDir, X509Certificate ca, PrivateKey key, Instant now) throws IOException {
        write(caDir, ca, key, List.of(), BigInteger.ZERO, now);
    }

    /**
     * Revokes every certificate the CA issued to the name {@code nameOrSerial}, or the one with that
     * serial (hex, as {@code issued.log} and {@code ca issue} print it), by writing a new list.
     *
     * @throws IllegalArgumentException if {@code issued.log} has no such name or serial, or has both
     */
    public static Revoked revoke(Path caDir, String nameOrSerial, Instant now) throws IOException {
        X509Certificate ca = Pem.readCertificate(caDir.resolve(CertificateAuthority.CA_CERT));
        PrivateKey key = CertificateAuthority.readKey(caDir);
        List<String[]> issued = issuedLog(caDir);
        List<BigInteger> serials = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        List<String[]> byName = issued.stream().filter(l -> l[3].equals(nameOrSerial)).toList();
        List<String[]> bySerial = nameOrSerial.matches("[0-9a-fA-F]{1,40}")
                ? issued.stream().filter(l -> new BigInteger(l[1], 16).equals(new BigInteger(nameOrSerial, 16))).toList()
                : List.of();
        if (!byName.isEmpty() && !bySerial.isEmpty()) {
            throw new IllegalArgumentException("\"" + nameOrSerial + "\" is both a name and a serial in " + CertificateAuthority.ISSUED_LOG
                    + "; nothing revoked");
        }
        for (String[] l : byName.isEmpty() ? bySerial : byName) {
            serials.add(new BigInteger(l[1], 16));
            names.add(l[3]);
        }
        if (serials.isEmpty()) {
            throw new IllegalArgumentException("no certificate named or numbered \"" + nameOrSerial + "\" in "
                    + caDir.resolve(CertificateAuthority.ISSUED_LOG) + "; nothing revoked");
        }
        X509CRL old = read(caDir, ca);
        Set<BigInteger> all = new LinkedHashSet<>();
        BigInteger number = BigInteger.ONE;
        if (old != null) {
            if (old.getRevokedCertificates() != null) {
                for (X509CRLEntry e : old.getRevokedCertificates()) {
                    all.add(e.getSerialNumber());
                }
            }
            try {
                number = Revocations.crlNumber(old).add(BigInteger.ONE);
            } catch (RevocationListException e) {
                throw new IOException(caDir.resolve(FILE) + ": " + e.getMessage(), e);
            }
        }
        all.addAll(serials);
        write(caDir, ca, key, List.copyOf(all), number, now);
        return new Revoked(List.copyOf(serials), List.copyOf(names), number);
    }

    /** The DER of a PEM revocation list file. */
    public static byte[] readDer(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        try (PemReader r = new PemReader(new StringReader(text))) {
            PemObject o = r.readPemObject();
            if (o == null || !o.getType().equals("X509 CRL")) {
                throw new IOException(file + " is not a PEM revocation list (-----BEGIN X509 CRL-----)");
            }
            return o.getContent();
        }
    }

    private static X509CRL read(Path caDir, X509Certificate ca) throws IOException {
        try {
            X509CRL crl = Revocations.parse(readDer(caDir.resolve(FILE)));
            Revocations.verify(crl, ca);
            return crl;
        } catch (NoSuchFileException e) {
            return null;
        } catch (RevocationListException e) {
            throw new IOException(caDir.resolve(FILE) + ": " + e.getMessage(), e);
        }
    }

    private static List<String[]> issuedLog(Path caDir) throws IOException {
        Path log = caDir.resolve(CertificateAuthority.ISSUED_LOG);
        if (!Files.exists(log)) {
            return List.of();
        }
        List<String[]> lines = new ArrayList<>();
        for (String line : Files.readAllLines(log, StandardCharsets.US_ASCII)) {
            String[] f = line.split("\t", -1);
            if (f.length == 6) {
                lines.add(f);
            }
        }
        return lines;
    }

    private static void write(Path caDir, X509Certificate ca, PrivateKey key, List<BigInteger> serials, BigInteger number,
            Instant now) throws IOException {
        Instant at = now.truncatedTo(ChronoUnit.SECONDS);
        X509v2CRLBuilder b = new X509v2CRLBuilder(X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()), Date.from(at));
        b.setNextUpdate(Date.from(at.plus(Duration.ofDays(NEXT_UPDATE_DAYS))));
        for (BigInteger s : serials) {
            b.addCRLEntry(s, Date.from(at), CRLReason.unspecified);
        }
        try {
            b.addExtension(Extension.cRLNumber, false, new CRLNumber(number));
            b.addExtension(Extension.authorityKeyIdentifier, false, new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(ca));
            X509CRLHolder holder = b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key));
            String pem = "-----BEGIN X509 CRL-----\n"
                    + java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(holder.getEncoded())
                    + "\n-----END X509 CRL-----\n";
            Pem.writePublic(caDir.resolve(FILE), pem);
        } catch (OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign the revocation list", e);
        }
    }
}
