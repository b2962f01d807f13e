package dev.caravan.agent.config;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes and rates as people write them: {@code 4096}, {@code 20MB}, {@code 256MiB},
 * {@code 1.5GB}. Decimal suffixes (kB, MB, GB, TB) are powers of 1000, binary ones (KiB, MiB,
 * GiB, TiB) powers of 1024, case aside; a bare number is bytes. The CLI's {@code --size} and
 * {@code --*-rate} flags read them with this too.
 */
public final class ByteSize {
    private static final Pattern SIZE = Pattern.compile("(\\d{1,19}(?:\\.\\d{1,9})?)\\s*([kmgt]i?b|b)?", Pattern.CASE_INSENSITIVE);
    private static final String[] BINARY = {"TiB", "GiB", "MiB", "KiB"};
    private static final String[] DECIMAL = {"TB", "GB", "MB", "kB"};

    private ByteSize() {}

    /** Parses a size, or fails with a message meant to follow "key = value: ". */
    public static long parse(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a size; write bytes as 4096, 20MB or 256MiB"
                    + " (suffixes kB, MB, GB, TB, KiB, MiB, GiB, TiB)");
        }
        String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
        long multiplier = switch (unit) {
            case "b" -> 1L;
            case "kb" -> 1_000L;
            case "mb" -> 1_000_000L;
            case "gb" -> 1_000_000_000L;
            case "tb" -> 1_000_000_000_000L;
            case "kib" -> 1L << 10;
            case "mib" -> 1L << 20;
            case "gib" -> 1L << 30;
            case "tib" -> 1L << 40;
            default -> throw new IllegalStateException(unit);
        };
        BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(multiplier));
        if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("too large; the most is " + Long.MAX_VALUE + " bytes");
        }
        if (bytes.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException("not a whole number of bytes");
        }
        return bytes.longValueExact();
    }

    /** The shortest exact spelling that {@link #parse} reads back: {@code 20GiB}, {@code 10MB}, {@code 4095}. */
    static String format(long bytes) {
        if (bytes == 0) {
            return "0";
        }
        for (int i = 0; i < BINARY.length; i++) {
            long unit = 1L << (10 * (BINARY.length - i));
            if (bytes % unit == 0) {
                return bytes / unit + BINARY[i];
            }
        }
        long unit = 1_000_000_000_000L;
        for (String name : DECIMAL) {
            if (bytes % unit == 0) {
                return bytes / unit + name;
            }
            unit /= 1000;
        }
        return Long.toString(bytes);
    }
}
