package dev.caravan.wire.tls;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Set;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts a peer's certificate only if it chains to the deployment's CA (PKIX, with the TLS
 * end-entity checks: validity dates, key usage, extended key usage) and names one of the accepted
 * roles. The handshake fails otherwise, before any application byte moves.
 *
 * <p>Then the certificate must not be revoked: its serial must not be in the newest revocation list
 * {@link Revocations} holds, which is asked at every handshake.
 */
final class RoleCheckingTrustManager extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager pkix;
    private final Set<Role> acceptedRoles;
    private final Revocations revocations;

    RoleCheckingTrustManager(X509Certificate ca, Set<Role> acceptedRoles, Revocations revocations) throws GeneralSecurityException {
        this.revocations = java.util.Objects.requireNonNull(revocations, "revocations");
        if (acceptedRoles.isEmpty()) {
            throw new IllegalArgumentException("accepted peer roles must not be empty");
        }
        this.acceptedRoles = Set.copyOf(acceptedRoles);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try {
            trust.load(null, null);
        } catch (java.io.IOException e) {
            throw new GeneralSecurityException("cannot make an empty key store", e);
        }
        trust.setCertificateEntry("caravan-ca", ca);
        TrustManagerFactory f = TrustManagerFactory.getInstance("PKIX");
        f.init(trust);
        X509ExtendedTrustManager found = null;
        for (TrustManager tm : f.getTrustManagers()) {
            if (tm instanceof X509ExtendedTrustManager x) {
                found = x;
            }
        }
        if (found == null) {
            throw new GeneralSecurityException("the PKIX trust manager factory made no X509ExtendedTrustManager");
        }
        this.pkix = found;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        pkix.checkClientTrusted(chain, authType, engine);
        checkRole(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        pkix.checkServerTrusted(chain, authType, engine);
        checkRole(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        pkix.checkClientTrusted(chain, authType, socket);
        checkRole(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        pkix.checkServerTrusted(chain, authType, socket);
        checkRole(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        pkix.checkClientTrusted(chain, authType);
        checkRole(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        pkix.checkServerTrusted(chain, authType);
        checkRole(chain);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return pkix.getAcceptedIssuers();
    }

    private void checkRole(X509Certificate[] chain) throws CertificateException {
        PeerIdentity peer = PeerIdentity.of(chain[0]);
        if (!acceptedRoles.contains(peer.role())) {
            throw new CertificateException("peer " + peer.name() + " has role " + peer.role().label() + "; this endpoint accepts "
                    + acceptedRoles.stream().map(Role::label).sorted().toList());
        }
        if (revocations.isRevoked(peer.serial())) {
            throw new CertificateException("the certificate of " + peer.name() + " (serial " + peer.serial().toString(16)
                    + ") is revoked");
        }
    }
}
