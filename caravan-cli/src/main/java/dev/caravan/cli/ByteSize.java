package dev.caravan.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Parses sizes and rates written the way people write them: {@code 256MiB}, {@code 20MB},
 * {@code 1.5GB}, {@code 4096}. Decimal suffixes (kB, MB, GB, TB) are powers of 1000, binary ones
 * (KiB, MiB, GiB, TiB) powers of 1024; a bare number is bytes.
 */
final class ByteSize {
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kKmMgGtT]i?[bB]?|[bB])?");

    private ByteSize() {}

    static long parse(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a size: \"" + text + "\" (examples: 4096, 256MiB, 20MB)");
        }
        double number = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
        double multiplier = switch (unit) {
            case "b" -> 1;
            case "k", "kb" -> 1e3;
            case "m", "mb" -> 1e6;
            case "g", "gb" -> 1e9;
            case "t", "tb" -> 1e12;
            case "ki", "kib" -> 1L << 10;
            case "mi", "mib" -> 1L << 20;
            case "gi", "gib" -> 1L << 30;
            case "ti", "tib" -> 1L << 40;
            default -> throw new IllegalArgumentException("unknown size unit \"" + m.group(2) + "\" in \"" + text + "\"");
        };
        double bytes = number * multiplier;
        if (bytes > Long.MAX_VALUE) {
            throw new IllegalArgumentException("size too large: \"" + text + "\"");
        }
        return Math.round(bytes);
    }

    /** Lets picocli take sizes as option values. */
    static final class Converter implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
