package dev.caravan.cli;

import picocli.CommandLine;

/** Option values that are sizes or rates ({@code 256MiB}, {@code 20MB}), read as the agent's config file reads them. */
final class ByteSize {
    private ByteSize() {}

    /** Lets picocli take sizes as option values, with the parse error as its message. */
    static final class Converter implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return dev.caravan.agent.config.ByteSize.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("\"" + value + "\" is " + e.getMessage());
            }
        }
    }
}
