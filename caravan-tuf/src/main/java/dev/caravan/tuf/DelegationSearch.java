package dev.caravan.tuf;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The pre-order depth-first search for a target through the top-level targets role and its
 * delegations (tuf-spec 5.6.7): roles in order of appearance, only those trusted for the
 * target's path, a terminating role ending the search once it and its descendants are done,
 * each role visited once (cycles), at most {@code maxRoles} roles visited.
 */
final class DelegationSearch {

    /** Loads and verifies a delegated role's metadata with its delegator's keys (5.6.1 to 5.6.6). */
    interface Loader {
        TargetsMetadata load(String roleName, Map<String, Key> keys, RoleKeys roleKeys) throws TufException;
    }

    private record Pending(DelegatedRole role, Map<String, Key> keys) {}

    private DelegationSearch() {}

    /** The target {@code name}, or {@code null} if no role visited describes it. */
    static TargetInfo find(String name, TargetsMetadata top, Loader loader, int maxRoles) throws TufException {
        Deque<Pending> stack = new ArrayDeque<>();
        stack.push(new Pending(null, null));
        Set<String> visited = new HashSet<>();
        while (!stack.isEmpty()) {
            if (visited.size() >= maxRoles) {          // 5.6.7.1: bounded work
                return null;
            }
            Pending p = stack.pop();
            String roleName = p.role() == null ? "targets" : p.role().name();
            if (visited.contains(roleName)) {          // 5.6.7.1: skip roles seen before (cycles)
                continue;
            }
            TargetsMetadata md = p.role() == null ? top : loader.load(roleName, p.keys(), p.role().keys());
            TargetInfo found = md.targets().get(name);
            if (found != null) {
                return found;
            }
            visited.add(roleName);
            if (md.delegations() == null) {
                continue;
            }
            List<Pending> children = new ArrayList<>();
            for (DelegatedRole child : md.delegations().roles()) {   // 5.6.7.2: in order of appearance
                if (!child.isTrustedFor(name)) {
                    continue;
                }
                children.add(new Pending(child, md.delegations().keys()));
                if (child.terminating()) {              // 5.6.7.2.1: nothing after this one
                    stack.clear();
                    break;
                }
            }
            Collections.reverse(children);
            children.forEach(stack::push);
        }
        return null;
    }
}
