package dev.caravan.wire.tls;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.Extension;

/**
 * The certificates this process refuses: the serials of the newest revocation list (an X.509 CRL
 * signed by the deployment's CA) it has seen. Every {@link TlsContexts} trust manager made with it
 * asks {@link #isRevoked} at each handshake; listeners hear of each newer list, so that open
 * connections whose peer is now revoked can be closed.
 *
 * <p>A list is accepted only if the CA's key signed it, its issuer is the CA, and its CRL number
 * is higher than the one held: an old list replayed cannot un-revoke anyone. Thread-safe.
 */
public final class Revocations {
    private final X509Certificate ca;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private volatile Snapshot current = new Snapshot(BigInteger.valueOf(-1), Set.of(), null);

    private record Snapshot(BigInteger number, Set<BigInteger> serials, byte[] encoded) {
    }

    /** Empty; it accepts lists signed by {@code ca}. */
    public Revocations(X509Certificate ca) {
        this.ca = Objects.requireNonNull(ca, "ca");
    }

    /** Whether the certificate with {@code serial} is revoked. */
    public boolean isRevoked(BigInteger serial) {
        return current.serials().contains(serial);
    }

    /** The CRL number of the list held, or -1 before any. */
    public BigInteger number() {
        return current.number();
    }

    /** The DER bytes of the list held, or null before any (to serve it on). */
    public byte[] encoded() {
        byte[] e = current.encoded();
        return e == null ? null : e.clone();
    }

    /** How many certificates are revoked. */
    public int size() {
        return current.serials().size();
    }

    /**
     * Runs {@code listener} (on the updating thread) after each newer list is taken, until
     * {@link #removeListener}. This object holds the listener: a component that stops must remove
     * it, or it stays reachable for as long as this object is (and a TLS context's trust manager,
     * which BoringSSL holds through a JNI global reference, keeps this object reachable).
     */
    public void onChange(Runnable listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Stops running {@code listener}, added with {@link #onChange}. */
    public void removeListener(Runnable listener) {
        listeners.remove(listener);
    }

    /**
     * Takes {@code der} if it is a list from the CA newer than the one held.
     *
     * @return true if it was newer and is now held; false if it is the one held or older (ignored)
     * @throws RevocationListException if it is not a CRL, not signed by the CA, or has no CRL number
     */
    public boolean update(byte[] der) throws RevocationListException {
        X509CRL crl = parse(der);
        verify(crl, ca);
        BigInteger number = crlNumber(crl);
        Set<BigInteger> serials = new HashSet<>();
        Set<? extends X509CRLEntry> entries = crl.getRevokedCertificates();
        if (entries != null) {
            for (X509CRLEntry e : entries) {
                serials.add(e.getSerialNumber());
            }
        }
        synchronized (this) {
            if (number.compareTo(current.number()) <= 0) {
                return false;
            }
            current = new Snapshot(number, Set.copyOf(serials), der.clone());
        }
        for (Runnable l : listeners) {
            l.run();
        }
        return true;
    }

    static X509CRL parse(byte[] der) throws RevocationListException {
        try {
            return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(der));
        } catch (GeneralSecurityException | ClassCastException | IllegalArgumentException e) {
            throw new RevocationListException("not an X.509 revocation list: " + e.getMessage(), e);
        }
    }

    static void verify(X509CRL crl, X509Certificate ca) throws RevocationListException {
        if (!crl.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) {
            throw new RevocationListException("revocation list issued by " + crl.getIssuerX500Principal().getName()
                    + ", not by the deployment's CA " + ca.getSubjectX500Principal().getName());
        }
        try {
            crl.verify(ca.getPublicKey());
        } catch (GeneralSecurityException e) {
            throw new RevocationListException("revocation list not signed by the deployment's CA: " + e.getMessage(), e);
        }
    }

    static BigInteger crlNumber(X509CRL crl) throws RevocationListException {
        byte[] ext = crl.getExtensionValue(Extension.cRLNumber.getId());
        if (ext == null) {
            throw new RevocationListException("revocation list has no CRL number");
        }
        try {
            return ASN1Integer.getInstance(ASN1OctetString.getInstance(ext).getOctets()).getValue();
        } catch (IllegalArgumentException e) {
            throw new RevocationListException("revocation list has a malformed CRL number", e);
        }
    }
}
