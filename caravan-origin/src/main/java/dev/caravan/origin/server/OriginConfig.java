package dev.caravan.origin.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The settings of an {@link OriginServer}: which repository folder it serves, where it listens,
 * whether it speaks TLS, and how fast it may send.
 *
 * <p>Checked here once, when the record is made; a bad value fails naming the setting and the
 * value. Whether the folder and the PEM files exist is checked by {@link OriginServer#start()}.
 *
 * @param repositoryRoot the repository folder ({@code metadata/}, {@code targets/},
 *     {@code chunks/}); nothing outside it is ever served
 * @param bindHost the host name or IP address to listen on, e.g. {@code 127.0.0.1} or
 *     {@code 0.0.0.0}
 * @param port the TCP port, 0 for an ephemeral port chosen by the system
 * @param tlsCertificatePem the server certificate chain in PEM (leaf first), or {@code null} for
 *     plain HTTP; given together with {@code tlsPrivateKeyPem}
 * @param tlsPrivateKeyPem the certificate's private key, PEM-encoded PKCS#8
 *     ({@code BEGIN PRIVATE KEY}), or {@code null} for plain HTTP
 * @param uploadRateBytesPerSecond the cap on the bytes sent per second, summed over all
 *     connections; 0 for no cap
 * @param workerThreads the number of I/O threads serving connections, at least 1
 * @param idleTimeout a connection that neither sends a request nor takes any response bytes for
 *     this long is closed
 */
public record OriginConfig(
        Path repositoryRoot,
        String bindHost,
        int port,
        Path tlsCertificatePem,
        Path tlsPrivateKeyPem,
        long uploadRateBytesPerSecond,
        int workerThreads,
        Duration idleTimeout) {

    /** Default {@link #workerThreads()}: one per core, at most 4 (sendfile does the copying). */
    public static final int DEFAULT_WORKER_THREADS = Math.min(4, Runtime.getRuntime().availableProcessors());

    /** Default {@link #idleTimeout()}: 60 seconds. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);

    public OriginConfig {
        Objects.requireNonNull(repositoryRoot, "origin repositoryRoot");
        if (bindHost == null || bindHost.isBlank()) {
            throw new IllegalArgumentException("origin bindHost must name a host or address, got " + quote(bindHost));
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("origin port must be in 0..65535 (0 = ephemeral), got " + port);
        }
        if ((tlsCertificatePem == null) != (tlsPrivateKeyPem == null)) {
            throw new IllegalArgumentException("origin TLS needs both tlsCertificatePem and tlsPrivateKeyPem, got certificate "
                    + tlsCertificatePem + (tlsPrivateKeyPem == null ? " without a key" : " missing, key given"));
        }
        if (uploadRateBytesPerSecond < 0) {
            throw new IllegalArgumentException(
                    "origin uploadRateBytesPerSecond must be >= 0 (0 = unlimited), got " + uploadRateBytesPerSecond);
        }
        if (workerThreads < 1) {
            throw new IllegalArgumentException("origin workerThreads must be >= 1, got " + workerThreads);
        }
        Objects.requireNonNull(idleTimeout, "origin idleTimeout");
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("origin idleTimeout must be positive, got " + idleTimeout);
        }
    }

    /** Plain HTTP on {@code bindHost:port}, no rate cap, default threads and idle timeout. */
    public static OriginConfig plain(Path repositoryRoot, String bindHost, int port) {
        return new OriginConfig(repositoryRoot, bindHost, port, null, null, 0, DEFAULT_WORKER_THREADS, DEFAULT_IDLE_TIMEOUT);
    }

    /** This config serving HTTPS with the given PEM certificate chain and PKCS#8 key. */
    public OriginConfig withTls(Path certificatePem, Path privateKeyPem) {
        return new OriginConfig(repositoryRoot, bindHost, port, Objects.requireNonNull(certificatePem, "tlsCertificatePem"),
                Objects.requireNonNull(privateKeyPem, "tlsPrivateKeyPem"), uploadRateBytesPerSecond, workerThreads, idleTimeout);
    }

    /** This config with an upload cap (0 = unlimited). */
    public OriginConfig withUploadRateBytesPerSecond(long bytesPerSecond) {
        return new OriginConfig(repositoryRoot, bindHost, port, tlsCertificatePem, tlsPrivateKeyPem, bytesPerSecond,
                workerThreads, idleTimeout);
    }

    public OriginConfig withWorkerThreads(int threads) {
        return new OriginConfig(repositoryRoot, bindHost, port, tlsCertificatePem, tlsPrivateKeyPem, uploadRateBytesPerSecond,
                threads, idleTimeout);
    }

    public OriginConfig withIdleTimeout(Duration timeout) {
        return new OriginConfig(repositoryRoot, bindHost, port, tlsCertificatePem, tlsPrivateKeyPem, uploadRateBytesPerSecond,
                workerThreads, timeout);
    }

    /** Whether this origin speaks HTTPS. */
    public boolean tls() {
        return tlsCertificatePem != null;
    }

    private static String quote(String s) {
        return s == null ? "null" : "\"" + s + "\"";
    }
}
