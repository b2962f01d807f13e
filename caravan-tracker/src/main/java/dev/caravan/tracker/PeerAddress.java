package dev.caravan.tracker;

import java.util.regex.Pattern;

/**
 * Where a peer accepts connections from other peers.
 *
 * <p>Written as {@code host:port}, with an IPv6 literal in brackets ({@code [fd00::7]:7000}). A
 * wildcard host ({@code 0.0.0.0} or {@code ::}) in an announce means "the address you see me
 * from": the tracker replaces it with the TLS connection's remote address.
 *
 * @param host a host name, an IPv4 literal or an IPv6 literal (without brackets), at most
 *     {@value #MAX_HOST_LENGTH} characters
 * @param port the TCP port, 1 to 65535
 */
public record PeerAddress(String host, int port) {
    public static final int MAX_HOST_LENGTH = 253;
    /** Letters, digits and the punctuation of host names and IP literals (IPv6 zone ids included). */
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._:%-]{1," + MAX_HOST_LENGTH + "}");

    public PeerAddress {
        if (host == null || !HOST.matcher(host).matches()) {
            throw new IllegalArgumentException("a peer's host is 1 to " + MAX_HOST_LENGTH
                    + " characters of letters, digits, '.', '-', ':' and '%'; got " + quote(host));
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("a peer's port is from 1 to 65535, got " + port);
        }
    }

    /** "The address you see me from", on {@code port}. */
    public static PeerAddress wildcard(int port) {
        return new PeerAddress("0.0.0.0", port);
    }

    /** Parses {@code host:port} or {@code [ipv6]:port}. */
    public static PeerAddress parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("an address is host:port, got null");
        }
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("an address is host:port or [ipv6]:port, got " + quote(text));
            }
            host = text.substring(1, close);
            port = text.substring(close + 2);
        } else {
            int colon = text.lastIndexOf(':');
            if (colon < 0 || text.indexOf(':') != colon) {
                throw new IllegalArgumentException("an address is host:port or [ipv6]:port, got " + quote(text));
            }
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
        }
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("an address's port is a number from 1 to 65535, got " + quote(text));
        }
        return new PeerAddress(host, Integer.parseInt(port));
    }

    /** Whether the host is a wildcard ({@code 0.0.0.0}, {@code ::}), which the tracker replaces. */
    public boolean isWildcard() {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("0:0:0:0:0:0:0:0");
    }

    /** {@code host:port}, with an IPv6 literal in brackets. */
    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    private static String quote(String s) {
        if (s == null) {
            return "null";
        }
        return "\"" + (s.length() > 80 ? s.substring(0, 80) + "…" : s) + "\"";
    }
}
