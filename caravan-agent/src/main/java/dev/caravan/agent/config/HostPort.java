package dev.caravan.agent.config;

/**
 * A listen address: a host name or IP literal and a TCP port, written {@code HOST:PORT}
 * ({@code [::1]:7880} for IPv6).
 *
 * @param host a host name or IP literal (IPv6 without brackets); {@code 0.0.0.0} or {@code ::}
 *     for every interface
 * @param port the TCP port, 0 to 65535 (0: any free port, chosen by the system)
 */
public record HostPort(String host, int port) {
    public HostPort {
        if (host == null || host.isBlank() || host.chars().anyMatch(c -> c <= ' ' || c == '/' || c == '[' || c == ']')) {
            throw new IllegalArgumentException("expected HOST:PORT with a host name or IP address, got host "
                    + (host == null ? "null" : "\"" + host + "\""));
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be from 0 to 65535, got " + port);
        }
    }

    /** Parses {@code host:port} or {@code [ipv6]:port}. */
    public static HostPort parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("expected HOST:PORT, e.g. 0.0.0.0:7881 or [::1]:7880");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw new IllegalArgumentException("an IPv6 address needs brackets: [ADDRESS]:PORT");
        }
        String port = text.substring(colon + 1);
        if (!port.chars().allMatch(c -> c >= '0' && c <= '9') || port.length() > 5) {
            throw new IllegalArgumentException("expected HOST:PORT with a port from 0 to 65535");
        }
        return new HostPort(host, Integer.parseInt(port));
    }

    /** {@code host:port}, with brackets around an IPv6 literal; {@link #parse} reads it back. */
    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
