package dev.caravan.tracker;

import dev.caravan.wire.tls.RevocationList;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How a tracker enrolls agents and learns of revoked certificates. Checked when made; a bad value
 * fails naming the setting.
 *
 * @param caDir the CA folder ({@code ca.key}, {@code ca.crt}, {@code issued.log}) the tracker issues
 *     agent certificates from, or null: no enrollment, no renewal (docs/decisions/005)
 * @param stateDir where the tracker records spent join tokens; required with {@code caDir}
 * @param certificateValidity how long an enrolled or renewed certificate is valid (default
 *     {@value #DEFAULT_CERTIFICATE_VALIDITY_HOURS} h, at least 1 h); agents renew at two thirds of it
 * @param revocationList the CA's signed revocation list ({@code crl.pem}) the tracker enforces and
 *     serves to agents, or null for none
 * @param revocationListRefresh how often the tracker looks whether that file changed (default
 *     {@value #DEFAULT_REVOCATION_LIST_REFRESH_SECONDS} s, at least 1 s)
 */
public record TrackerSecurityConfig(Path caDir, Path stateDir, Duration certificateValidity, Path revocationList,
        Duration revocationListRefresh) {
    public static final int DEFAULT_CERTIFICATE_VALIDITY_HOURS = 24;
    public static final int DEFAULT_REVOCATION_LIST_REFRESH_SECONDS = 10;

    public TrackerSecurityConfig {
        if (caDir != null && stateDir == null) {
            throw new IllegalArgumentException("tracker stateDir is required to enroll agents (spent join tokens are kept there)");
        }
        if (certificateValidity == null || certificateValidity.compareTo(Duration.ofHours(1)) < 0) {
            throw new IllegalArgumentException("tracker certificateValidity must be at least 1 h, got " + certificateValidity);
        }
        if (revocationListRefresh == null || revocationListRefresh.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("tracker revocationListRefresh must be at least 1 s, got " + revocationListRefresh);
        }
    }

    /** Neither enrollment nor revocation. */
    public static TrackerSecurityConfig none() {
        return new TrackerSecurityConfig(null, null, Duration.ofHours(DEFAULT_CERTIFICATE_VALIDITY_HOURS), null,
                Duration.ofSeconds(DEFAULT_REVOCATION_LIST_REFRESH_SECONDS));
    }

    /** Enrollment from {@code caDir}, spent tokens in {@code stateDir}, and the CA folder's {@code crl.pem}. */
    public static TrackerSecurityConfig enrolling(Path caDir, Path stateDir) {
        return new TrackerSecurityConfig(caDir, stateDir, Duration.ofHours(DEFAULT_CERTIFICATE_VALIDITY_HOURS),
                caDir.resolve(RevocationList.FILE), Duration.ofSeconds(DEFAULT_REVOCATION_LIST_REFRESH_SECONDS));
    }

    public boolean enrolls() {
        return caDir != null;
    }

    public TrackerSecurityConfig withRevocationList(Path file) {
        return new TrackerSecurityConfig(caDir, stateDir, certificateValidity, file, revocationListRefresh);
    }

    public TrackerSecurityConfig withRevocationListRefresh(Duration d) {
        return new TrackerSecurityConfig(caDir, stateDir, certificateValidity, revocationList, d);
    }

    public TrackerSecurityConfig withCertificateValidity(Duration d) {
        return new TrackerSecurityConfig(caDir, stateDir, d, revocationList, revocationListRefresh);
    }
}
