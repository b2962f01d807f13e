package dev.caravan.wire.tls;

import java.math.BigInteger;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/**
 * Who is at the other end of a TLS connection, read from the certificate it presented: its name
 * (CN), its role (OU) and the certificate's serial (what revocation will name).
 *
 * @param name the holder's name
 * @param role the holder's role
 * @param serial the certificate's serial number
 * @param notAfter when the certificate expires
 */
public record PeerIdentity(String name, Role role, BigInteger serial, Instant notAfter) {

    /** The identity of the peer of an established TLS session; the handshake has already checked its chain. */
    public static PeerIdentity of(SSLSession session) throws SSLPeerUnverifiedException {
        Certificate[] chain = session.getPeerCertificates();
        if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
            throw new SSLPeerUnverifiedException("the peer presented no X.509 certificate");
        }
        try {
            return of(leaf);
        } catch (CertificateException e) {
            SSLPeerUnverifiedException x = new SSLPeerUnverifiedException(e.getMessage());
            x.initCause(e);
            throw x;
        }
    }

    /** The identity a Caravan certificate names: exactly one CN and one OU that is a {@link Role}. */
    public static PeerIdentity of(X509Certificate cert) throws CertificateException {
        X500Name subject = X500Name.getInstance(cert.getSubjectX500Principal().getEncoded());
        String name = single(subject, BCStyle.CN, "CN");
        String ou = single(subject, BCStyle.OU, "OU");
        Role role;
        try {
            role = Role.parse(ou);
        } catch (IllegalArgumentException e) {
            throw new CertificateException("certificate " + subject + " names no Caravan role: OU=" + ou);
        }
        return new PeerIdentity(name, role, cert.getSerialNumber(), cert.getNotAfter().toInstant());
    }

    private static String single(X500Name subject, ASN1ObjectIdentifier type, String label) throws CertificateException {
        RDN[] rdns = subject.getRDNs(type);
        if (rdns.length != 1 || rdns[0].isMultiValued()) {
            throw new CertificateException("certificate " + subject + " must have exactly one " + label + ", has " + rdns.length);
        }
        return IETFUtils.valueToString(rdns[0].getFirst().getValue());
    }
}
