package dev.caravan.wire.tls;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLException;

/**
 * Builds the Netty {@link SslContext}s of peers and trackers: TLS 1.3 only, both sides present a
 * certificate, and the only trusted issuer is the deployment's CA (no system trust store).
 *
 * <p>There is no host name verification: peers are dialled by the address the tracker handed out,
 * and any enrolled machine in the expected role is an acceptable peer. Instead the handshake fails
 * unless the other side's certificate chains to the CA and names an accepted {@link Role}; after
 * it, {@link PeerIdentity#of(javax.net.ssl.SSLSession)} tells who it is.
 *
 * <p>BoringSSL (netty-tcnative) is used where its native library loads, else the JDK's provider;
 * see {@link #provider()}.
 *
 * <p>Make handlers with {@code context.newHandler(alloc)}, without the peer's host and port: a client
 * then never offers a cached session (neither provider caches one without them), and servers keep
 * no session cache, so every connection makes a full handshake and the certificate
 * checks run each time (which revocation will rely on).
 */
public final class TlsContexts {
    public static final String TLS_1_3 = "TLSv1.3";
    /** The system property that selects the TLS implementation ({@code jdk} or, by default, the best available). */
    public static final String PROVIDER_PROPERTY = "caravan.tls.provider";

    private TlsContexts() {
    }

    /**
     * A server context: it requires a client certificate from the CA whose role is in {@code acceptedClientRoles}
     * (an agent's peer listener accepts {@link Role#AGENT}; a tracker accepts {@link Role#AGENT}), with nothing revoked.
     */
    public static SslContext server(TlsFiles files, Set<Role> acceptedClientRoles) throws IOException {
        requireReadable(files);
        return server(files, acceptedClientRoles, new Revocations(readCa(files)), false);
    }

    /**
     * A server context that refuses clients whose certificate {@code revocations} lists. With
     * {@code clientCertificateOptional} (a tracker that enrolls), a client may come without a
     * certificate; one that presents a certificate is checked all the same, and the caller must
     * refuse every request of a client without one except enrollment. The server sends its chain
     * with the CA certificate in it, which is what a joining machine pins.
     */
    public static SslContext server(TlsFiles files, Set<Role> acceptedClientRoles, Revocations revocations,
            boolean clientCertificateOptional) throws IOException {
        requireReadable(files);
        try {
            X509Certificate ca = readCa(files);
            SslContext context = SslContextBuilder.forServer(Pem.readPrivateKey(files.privateKey()), chain(files, ca))
                    .sslProvider(provider())
                    .protocols(TLS_1_3)
                    .clientAuth(clientCertificateOptional ? ClientAuth.OPTIONAL : ClientAuth.REQUIRE)
                    .trustManager(new RoleCheckingTrustManager(ca, acceptedClientRoles, revocations))
                    .build();
            if (context.sessionContext() instanceof OpenSslSessionContext sessions) {
                // no server-side session cache: every connection is a full handshake with its certificate checked
                sessions.setSessionCacheEnabled(false);
            }
            return context;
        } catch (GeneralSecurityException e) {
            throw new SSLException("cannot build the TLS server context from " + files, e);
        } catch (IllegalArgumentException e) {
            throw new SSLException("cannot read the certificate or key of " + files + ": " + e.getMessage(), e);
        }
    }

    /**
     * A client context: it presents its certificate and accepts a server whose certificate comes from the CA
     * and whose role is in {@code acceptedServerRoles} ({@link Role#AGENT} to dial a peer,
     * {@link Role#TRACKER} to call a tracker), with nothing revoked.
     */
    public static SslContext client(TlsFiles files, Set<Role> acceptedServerRoles) throws IOException {
        requireReadable(files);
        return client(files, acceptedServerRoles, new Revocations(readCa(files)));
    }

    /** A client context that also refuses servers whose certificate {@code revocations} lists. */
    public static SslContext client(TlsFiles files, Set<Role> acceptedServerRoles, Revocations revocations) throws IOException {
        requireReadable(files);
        try {
            X509Certificate ca = readCa(files);
            return SslContextBuilder.forClient()
                    .sslProvider(provider())
                    .protocols(TLS_1_3)
                    .keyManager(files.certificate().toFile(), files.privateKey().toFile())
                    .trustManager(new RoleCheckingTrustManager(ca, acceptedServerRoles, revocations))
                    .endpointIdentificationAlgorithm(null)
                    .build();
        } catch (GeneralSecurityException e) {
            throw new SSLException("cannot build the TLS client context from " + files, e);
        } catch (IllegalArgumentException e) {
            throw new SSLException("cannot read the certificate or key of " + files + ": " + e.getMessage(), e);
        }
    }

    /**
     * The client context of a machine joining with a token: no certificate of its own, and it
     * accepts only a tracker whose chain holds the CA certificate with SHA-256 {@code caFingerprint}
     * (hex) and chains to it in the tracker role ({@link JoinToken#caFingerprint()}).
     */
    public static SslContext joiningClient(String caFingerprint) throws SSLException {
        return SslContextBuilder.forClient()
                .sslProvider(provider())
                .protocols(TLS_1_3)
                .trustManager(new PinnedCaTrustManager(caFingerprint))
                .endpointIdentificationAlgorithm(null)
                .build();
    }

    /** The certificate file's certificates, then the CA's if the last one was issued by it. */
    private static X509Certificate[] chain(TlsFiles files, X509Certificate ca) throws IOException {
        List<X509Certificate> chain = new ArrayList<>(Pem.readCertificates(files.certificate()));
        X509Certificate last = chain.getLast();
        if (!last.equals(ca) && last.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) {
            chain.add(ca);
        }
        return chain.toArray(X509Certificate[]::new);
    }

    private static X509Certificate readCa(TlsFiles files) throws IOException {
        if (!Files.isReadable(files.ca())) {
            throw new IOException("cannot read " + files.ca() + " (certificate, key or CA file)");
        }
        return Pem.readCertificate(files.ca());
    }

    /**
     * The TLS implementation: BoringSSL through netty-tcnative when its native library loads on this
     * platform (with the JDK's engine instead, the 10-agent demo used about a fifth more CPU and
     * took longer: docs/benchmarks.md), else the JDK's. {@code -Dcaravan.tls.provider=jdk}
     * forces the JDK's, for comparison or where a native library is not wanted. Both speak TLS 1.3
     * only, with the same certificates and the same role checks.
     */
    public static SslProvider provider() {
        if ("jdk".equalsIgnoreCase(System.getProperty(PROVIDER_PROPERTY, ""))) {
            return SslProvider.JDK;
        }
        return OpenSsl.isAvailable() && SslProvider.isTlsv13Supported(SslProvider.OPENSSL) ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    /**
     * Why a TLS handshake failed, for a person: the most specific message in the cause chain (the
     * certificate check's own words, such as which role the endpoint accepts), not a wrapper's
     * ("General OpenSslEngine problem").
     */
    public static String reason(Throwable failure) {
        String reason = null;
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                reason = t.getMessage();
            }
        }
        return reason != null ? reason : String.valueOf(failure);
    }

    private static void requireReadable(TlsFiles files) throws IOException {
        for (Path p : new Path[] {files.certificate(), files.privateKey(), files.ca()}) {
            if (!Files.isReadable(p)) {
                throw new IOException("cannot read " + p + " (certificate, key or CA file)");
            }
        }
    }
}
