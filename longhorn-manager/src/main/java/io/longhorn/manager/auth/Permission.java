package io.longhorn.manager.auth;

/**
 * What a request needs: a verb on a {@code longhorn.io} resource (as Kubernetes RBAC names them,
 * e.g. {@code update volumes.longhorn.io}), or a verb on a path outside the resources
 * ({@code get /metrics}).
 */
public record Permission(String verb, String resource, String path) {
    public static final String GROUP = "longhorn.io";
    public static final String GET = "get";
    public static final String LIST = "list";
    public static final String CREATE = "create";
    public static final String UPDATE = "update";
    public static final String DELETE = "delete";
    /** The standalone tokens (no Kubernetes kind: in a cluster, tokens are the cluster's). */
    public static final String TOKENS = "tokens";

    public static Permission on(String verb, String resource) {
        return new Permission(verb, resource, null);
    }

    public static Permission onPath(String verb, String path) {
        return new Permission(verb, null, path);
    }

    public boolean isNonResource() {
        return resource == null;
    }

    /** {@code update volumes.longhorn.io} or {@code get /metrics}. */
    @Override
    public String toString() {
        return isNonResource() ? verb + " " + path : verb + " " + resource + "." + GROUP;
    }
}
