package dev.caravan.origin.server;

import java.util.List;
import java.util.Locale;

/**
 * Whether a request's {@code Accept-Encoding} (RFC 9110 §12.5.3) takes gzip: {@code gzip} (or its
 * alias {@code x-gzip}) listed with a weight above 0, or else {@code *} with a weight above 0. A
 * request with no such field gets the file as it is: RFC 9110 would allow any coding, but a client
 * that says nothing may not expect one, and nginx's {@code gzip_static on} decides the same way.
 */
final class AcceptEncoding {

    private AcceptEncoding() {}

    static boolean takesGzip(List<String> fields) {
        Boolean gzip = null;
        boolean any = false;
        for (String field : fields) {
            for (String member : field.split(",")) {
                String[] parts = member.split(";");
                String coding = parts[0].strip().toLowerCase(Locale.ROOT);
                boolean wanted = weight(parts) > 0;
                if (coding.equals("gzip") || coding.equals("x-gzip")) {
                    gzip = gzip == null ? wanted : gzip || wanted;
                } else if (coding.equals("*")) {
                    any = wanted;
                }
            }
        }
        return gzip != null ? gzip : any;
    }

    /** The member's q parameter (1 when absent); a weight that does not parse counts as 0. */
    private static double weight(String[] parts) {
        for (int i = 1; i < parts.length; i++) {
            String param = parts[i].strip();
            if (param.length() > 1 && (param.charAt(0) == 'q' || param.charAt(0) == 'Q') && param.charAt(1) == '=') {
                try {
                    double q = Double.parseDouble(param.substring(2).strip());
                    return q >= 0 && q <= 1 ? q : 0;
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 1;
    }
}
