package dev.caravan.origin.client;

import java.net.MalformedURLException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * An http(s) URL split the way a request needs it: which origin to connect to, and the
 * request-target and Host field to send (RFC 9112 §3.2, §3.2.1).
 *
 * @param origin {@code scheme://host:port}, the key of a connection pool
 * @param host the host name or address, without IPv6 brackets
 * @param requestTarget the origin-form: absolute path and query
 * @param text the URL as given, for messages
 */
record OriginUrl(String origin, boolean https, String host, int port, String requestTarget, String hostHeader, String text) {

    static OriginUrl parse(String url) throws MalformedURLException {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new MalformedURLException("not a URL: " + url + " (" + e.getMessage() + ")");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new MalformedURLException("the origin client speaks http and https, not: " + url);
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty() || uri.getRawUserInfo() != null) {
            throw new MalformedURLException("an origin URL needs a host and no user info: " + url);
        }
        boolean https = scheme.equals("https");
        int defaultPort = https ? 443 : 80;
        int port = uri.getPort() < 0 ? defaultPort : uri.getPort();
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String target = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
        String bareHost = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        String hostHeader = port == defaultPort ? host : host + ":" + port;
        return new OriginUrl(scheme + "://" + host + ":" + port, https, bareHost, port, target, hostHeader, url);
    }

    @Override
    public String toString() {
        return text;
    }
}
