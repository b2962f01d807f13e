/**
 * Certificates and mutual TLS: the deployment's {@link dev.caravan.wire.tls.CertificateAuthority},
 * the TLS 1.3 {@link dev.caravan.wire.tls.TlsContexts} of peers and trackers, and
 * {@link dev.caravan.wire.tls.PeerIdentity}, who is at the other end.
 */
package dev.caravan.wire.tls;
