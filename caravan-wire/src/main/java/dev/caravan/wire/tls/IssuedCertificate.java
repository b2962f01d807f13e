package dev.caravan.wire.tls;

import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Instant;

/**
 * What {@link CertificateAuthority#issue} wrote: the holder's name and role, the certificate's
 * serial and validity, and the three files a peer or tracker is started with.
 *
 * @param name the holder's name (the certificate's CN and DNS SAN)
 * @param role the holder's role
 * @param serial the certificate's serial number, also recorded in the CA's {@code issued.log}
 * @param notBefore the start of the validity
 * @param notAfter the end of the validity
 * @param files the certificate, private key and CA certificate files
 */
public record IssuedCertificate(String name, Role role, BigInteger serial, Instant notBefore, Instant notAfter, TlsFiles files) {
}
