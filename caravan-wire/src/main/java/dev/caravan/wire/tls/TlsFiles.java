package dev.caravan.wire.tls;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The three PEM files a peer or tracker needs for mutual TLS.
 *
 * @param certificate its certificate ({@code NAME.crt})
 * @param privateKey its PKCS#8 private key ({@code NAME.key}), readable only by its owner
 * @param ca the deployment CA's certificate ({@code ca.crt}), the only certificate it trusts
 */
public record TlsFiles(Path certificate, Path privateKey, Path ca) {
    public TlsFiles {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(ca, "ca");
    }

    /** The files {@link CertificateAuthority#issue} writes for {@code name} into {@code dir}. */
    public static TlsFiles in(Path dir, String name) {
        return new TlsFiles(dir.resolve(name + ".crt"), dir.resolve(name + ".key"), dir.resolve(CertificateAuthority.CA_CERT));
    }
}
