package dev.caravan.tuf;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One entry of a targets role's delegations (tuf-spec 4.5 DELEGATIONS): the delegated role's
 * name, keys and threshold, the target paths it is trusted for (glob {@code paths} or
 * {@code path_hash_prefixes}, exactly one of them), and whether it is terminating.
 */
record DelegatedRole(String name, RoleKeys keys, List<String> paths, List<String> pathHashPrefixes,
                     boolean terminating) {

    static DelegatedRole parse(String fileName, JsonNode node) throws TufException.BadFormat {
        MetadataReader r = new MetadataReader(fileName + " delegated role", node);
        String name = r.text("name");
        for (Role top : Role.values()) {
            if (top.id().equals(name)) {
                throw r.bad("is named \"" + name + "\", the name of a top-level role");
            }
        }
        MetadataReader named = new MetadataReader(fileName + " delegated role " + name, node);
        RoleKeys keys = RoleKeys.parse(fileName + " delegated role " + name, node);
        boolean terminating = named.has("terminating") && named.bool("terminating");
        List<String> paths = named.has("paths") ? named.textList("paths") : null;
        List<String> prefixes = named.has("path_hash_prefixes") ? named.textList("path_hash_prefixes") : null;
        if ((paths == null) == (prefixes == null)) {
            throw named.bad("must have exactly one of \"paths\" and \"path_hash_prefixes\"");
        }
        return new DelegatedRole(name, keys, paths, prefixes, terminating);
    }

    /** Whether this role is trusted for {@code targetPath} (tuf-spec 4.5 "paths", "path_hash_prefixes"). */
    boolean isTrustedFor(String targetPath) {
        if (pathHashPrefixes != null) {
            String hash = Hashes.hex("SHA-256", targetPath.getBytes(StandardCharsets.UTF_8));
            return pathHashPrefixes.stream().anyMatch(hash::startsWith);
        }
        return paths.stream().anyMatch(p -> matches(p, targetPath));
    }

    /**
     * Shell-style glob matching as python-tuf does it: the pattern and the path must have the
     * same number of "/"-separated segments, and each segment matches with {@code *}, {@code ?}
     * and {@code [...]} as fnmatch does, so a wildcard never matches a path separator (4.5).
     */
    static boolean matches(String pattern, String targetPath) {
        String[] ps = pattern.split("/", -1);
        String[] ts = targetPath.split("/", -1);
        if (ps.length != ts.length) {
            return false;
        }
        for (int i = 0; i < ps.length; i++) {
            if (!globToRegex(ps[i]).matcher(ts[i]).matches()) {
                return false;
            }
        }
        return true;
    }

    private static Pattern globToRegex(String glob) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                case '[' -> {
                    int end = glob.indexOf(']', i + 2);
                    if (end < 0) {
                        re.append("\\[");
                    } else {
                        String set = glob.substring(i + 1, end);
                        boolean negate = set.startsWith("!");
                        if (negate) {
                            set = set.substring(1);
                        }
                        re.append('[').append(negate ? "^" : "").append(set.replace("\\", "\\\\").replace("[", "\\[")).append(']');
                        i = end;
                    }
                }
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }
}
