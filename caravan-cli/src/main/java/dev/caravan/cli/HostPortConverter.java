package dev.caravan.cli;

import dev.caravan.agent.config.HostPort;
import picocli.CommandLine;

/** Lets picocli take a listen address ({@code HOST:PORT}) as an option value, with the parse error as its message. */
final class HostPortConverter implements CommandLine.ITypeConverter<HostPort> {
    @Override
    public HostPort convert(String value) {
        try {
            return HostPort.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage() + " (got \"" + value + "\")");
        }
    }
}
