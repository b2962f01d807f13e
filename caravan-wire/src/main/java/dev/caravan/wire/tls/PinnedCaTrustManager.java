package dev.caravan.wire.tls;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Set;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The trust of a machine that is joining and has no CA certificate yet: the tracker must send its
 * chain with the CA certificate in it, that CA certificate's SHA-256 must be the fingerprint the
 * join token carries, and the tracker's certificate must chain to it in the tracker role. Else the
 * handshake fails before the token is sent, so a rogue tracker never sees it.
 */
final class PinnedCaTrustManager extends X509ExtendedTrustManager {
    private final String caFingerprint;

    PinnedCaTrustManager(String caFingerprint) {
        this.caFingerprint = caFingerprint;
    }

    private RoleCheckingTrustManager pinned(X509Certificate[] chain) throws CertificateException {
        for (X509Certificate c : chain) {
            if (JoinToken.fingerprint(c).equals(caFingerprint)) {
                try {
                    return new RoleCheckingTrustManager(c, Set.of(Role.TRACKER), new Revocations(c));
                } catch (GeneralSecurityException e) {
                    throw new CertificateException("cannot trust the pinned CA certificate: " + e.getMessage(), e);
                }
            }
        }
        throw new CertificateException("the tracker's certificate does not come from the CA the join token names "
                + "(no certificate in its chain has SHA-256 " + caFingerprint.substring(0, 16) + "…); the token was not sent");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        pinned(chain).checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        pinned(chain).checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        pinned(chain).checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw new CertificateException("a joining machine accepts no clients");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("a joining machine accepts no clients");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("a joining machine accepts no clients");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
