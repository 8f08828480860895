package io.longhorn.manager.cluster;

import java.util.function.Predicate;

/**
 * Which manager handles a resource (pure). Every manager runs every controller; a resource names a
 * preferred node ({@code spec.nodeID}: where it runs or is attached) and its current owner
 * ({@code status.ownerID}). Manager {@code me} handles it when
 * <ul>
 *   <li>it is the preferred node, or</li>
 *   <li>it is the current owner and the preferred node's manager is unavailable, or</li>
 *   <li>neither the preferred node's nor the current owner's manager is available (a node with no
 *   name never is): any manager may take it; the first to write itself as owner wins, the others
 *   then see an available owner and let go.</li>
 * </ul>
 * No leader election: a node's manager is available while the node is ready and its manager Pod
 * runs and is ready.
 */
public final class Ownership {
    private Ownership() {
    }

    public static boolean responsible(String me, String preferred, String current, Predicate<String> available) {
        Predicate<String> up = n -> n != null && !n.isEmpty() && available.test(n);
        boolean preferredUp = up.test(preferred);
        if (me.equals(preferred)) {
            return true;
        }
        if (me.equals(current) && !preferredUp) {
            return true;
        }
        return !preferredUp && !up.test(current);
    }
}
