package dev.caravan.core;

import java.util.Comparator;
import java.util.regex.Pattern;

/**
 * The name of a release: a product and one of its versions. Both are restricted to characters
 * that are safe in file names, URLs and TUF target names.
 */
public record ReleaseId(String product, String version) {
    private static final Pattern PRODUCT = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final Pattern VERSION = Pattern.compile("[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}");
    private static final Pattern CHANNEL = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    /**
     * Orders versions as people read them: split on '.', '-', '+' and '_', numeric parts compared
     * as numbers, other parts as text, and a version that is a prefix of another comes first
     * ({@code 1.2 < 1.2.1 < 1.10}).
     */
    public static final Comparator<String> VERSION_ORDER = ReleaseId::compareVersions;

    public ReleaseId {
        requireName("product", product, PRODUCT);
        requireName("version", version, VERSION);
    }

    /** Checks a channel name, failing with a message that names the bad value. */
    public static String requireChannel(String channel) {
        requireName("channel", channel, CHANNEL);
        return channel;
    }

    /** The TUF target name of this release's manifest. */
    public String manifestTargetName() {
        return product + "-" + version + ".manifest.json";
    }

    @Override
    public String toString() {
        return product + " " + version;
    }

    private static void requireName(String what, String value, Pattern pattern) {
        if (value == null || !pattern.matcher(value).matches()) {
            throw new IllegalArgumentException("bad " + what + " name " + (value == null ? "null" : "\"" + value + "\"")
                    + ": it must match " + pattern.pattern());
        }
    }

    private static int compareVersions(String a, String b) {
        String[] pa = a.split("[.+_-]");
        String[] pb = b.split("[.+_-]");
        for (int i = 0; i < Math.min(pa.length, pb.length); i++) {
            int c = comparePart(pa[i], pb[i]);
            if (c != 0) {
                return c;
            }
        }
        int c = Integer.compare(pa.length, pb.length);
        return c != 0 ? c : a.compareTo(b);
    }

    private static int comparePart(String x, String y) {
        boolean nx = !x.isEmpty() && x.chars().allMatch(Character::isDigit);
        boolean ny = !y.isEmpty() && y.chars().allMatch(Character::isDigit);
        if (nx && ny) {
            String tx = x.replaceFirst("^0+(?=.)", "");
            String ty = y.replaceFirst("^0+(?=.)", "");
            return tx.length() != ty.length() ? Integer.compare(tx.length(), ty.length()) : tx.compareTo(ty);
        }
        if (nx != ny) {
            return nx ? 1 : -1; // 1.0.1 is newer than 1.0.rc1
        }
        return x.compareTo(y);
    }
}
