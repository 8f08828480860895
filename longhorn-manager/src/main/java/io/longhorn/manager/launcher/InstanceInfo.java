package io.longhorn.manager.launcher;

/**
 * What the launcher knows about an instance.
 *
 * @param name           the resource name
 * @param kind           engine or replica
 * @param state          one of {@link io.longhorn.manager.model.InstanceState}
 * @param controlAddress gRPC control address, {@code host:port}, once running; a launcher that chooses
 *                       a replica's ports itself reports them while it starts too
 * @param dataAddress    a replica's data server, {@code tcp://host:port}
 * @param endpoint       an engine's frontend endpoint: {@code nbd://host:port/volume} for frontend {@code nbd},
 *                       the device link {@code /dev/longhorn/<volume>} for {@code blockdev}
 * @param error          why the instance is in error or stopped unexpectedly
 * @param device         for {@code blockdev}: which block device serves the link and how (kernel NBD client,
 *                       or userspace and slower), empty otherwise
 */
public record InstanceInfo(String name, InstanceKind kind, String state, String controlAddress, String dataAddress,
                           String endpoint, String error, String device) {

    public InstanceInfo(String name, InstanceKind kind, String state, String controlAddress, String dataAddress,
                        String endpoint, String error) {
        this(name, kind, state, controlAddress, dataAddress, endpoint, error, "");
    }

    public String host() {
        int colon = controlAddress.lastIndexOf(':');
        return colon < 0 ? "" : controlAddress.substring(0, colon);
    }

    public int port() {
        int colon = controlAddress.lastIndexOf(':');
        return colon < 0 ? 0 : Integer.parseInt(controlAddress.substring(colon + 1));
    }
}
