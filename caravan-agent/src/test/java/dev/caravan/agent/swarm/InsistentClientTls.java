package dev.caravan.agent.swarm;

import dev.caravan.wire.tls.TlsContexts;
import dev.caravan.wire.tls.TlsFiles;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A TLS 1.3 client context that presents its certificate to any server. The JDK's own key manager
 * sends an empty chain when the server's CertificateRequest names other CAs than the certificate's
 * issuer, so a client built with {@link TlsContexts#client} never shows a foreign certificate at
 * all; an attacker's client would, and this one does, so that the server's check of it is tested.
 */
final class InsistentClientTls {
    private static final String ALIAS = "mine";

    private InsistentClientTls() {
    }

    /** Presents {@code tls}'s certificate and trusts its CA file. */
    static SslContext context(TlsFiles tls) throws IOException, GeneralSecurityException {
        X509Certificate certificate;
        try (InputStream in = Files.newInputStream(tls.certificate())) {
            certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        String pem = Files.readString(tls.privateKey()).replaceAll("-----[A-Z ]+-----|\\s", "");
        PrivateKey key = KeyFactory.getInstance(certificate.getPublicKey().getAlgorithm())
                .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
        return SslContextBuilder.forClient().sslProvider(SslProvider.JDK).protocols(TlsContexts.TLS_1_3)
                .keyManager(new Insistent(certificate, key))
                .trustManager(tls.ca().toFile())
                .endpointIdentificationAlgorithm(null)
                .build();
    }

    /** Offers its one key whatever the server asks for. */
    private static final class Insistent extends X509ExtendedKeyManager {
        private final X509Certificate certificate;
        private final PrivateKey key;

        Insistent(X509Certificate certificate, PrivateKey key) {
            this.certificate = certificate;
            this.key = key;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return ALIAS;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return ALIAS;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] {ALIAS};
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return new X509Certificate[] {certificate};
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return key;
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }
    }
}
