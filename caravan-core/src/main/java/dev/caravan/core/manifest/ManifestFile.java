package dev.caravan.core.manifest;

import dev.caravan.core.Digest;

/**
 * A manifest as it was published: the parsed {@link Manifest}, the exact bytes it was read from,
 * and their SHA-256, which names the release (the hash its TUF target lists; {@code caravan
 * publish} writes canonical JSON, so it equals {@link Manifest#digest()}). Keeping the bytes
 * spares an agent encoding the manifest again to name or to shelve it: hundreds of kilobytes of
 * JSON for a release of a thousand files, on every agent at the moment a release ships.
 */
public final class ManifestFile {
    private final Manifest manifest;
    private final byte[] json;
    private final Digest digest;

    private ManifestFile(Manifest manifest, byte[] json) {
        this.manifest = manifest;
        this.json = json;
        this.digest = Digest.sha256(json);
    }

    /** Reads a published manifest ({@link Manifest#parse}); keeps a copy of {@code json}. */
    public static ManifestFile parse(byte[] json) throws ManifestException {
        byte[] copy = json.clone();
        return new ManifestFile(Manifest.parse(copy), copy);
    }

    /** The manifest in its canonical JSON, as {@code caravan publish} writes it. */
    public static ManifestFile of(Manifest manifest) {
        return new ManifestFile(manifest, manifest.toCanonicalJson());
    }

    public Manifest manifest() {
        return manifest;
    }

    /** The SHA-256 of {@link #json()}: the release's name in the swarm and in the cache. */
    public Digest digest() {
        return digest;
    }

    /** The bytes as published (a copy). */
    public byte[] json() {
        return json.clone();
    }
}
