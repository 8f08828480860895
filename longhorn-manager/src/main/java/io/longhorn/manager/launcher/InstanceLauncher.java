package io.longhorn.manager.launcher;

import io.longhorn.api.auth.VolumeSecret;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Starts and stops engine and replica instances. Both calls return at once; the launcher reports
 * every state change of an instance to its listeners (with the instance's name), so that the owning
 * controller reconciles again. Calls are idempotent: starting a running instance or stopping a
 * stopped one does nothing.
 */
public interface InstanceLauncher {

    /** Starts the instance unless it runs or is starting; returns what is known now. */
    InstanceInfo start(InstanceRequest request);

    /** Stops the instance if it runs. */
    void stop(String name);

    /** The instance's state, or empty when the launcher never heard of it (it is stopped). */
    Optional<InstanceInfo> inspect(String name);

    /** Removes a replica's data directory on the node (the replica must be stopped). */
    void deleteReplicaData(String nodeID, String replicaDirectory);

    /**
     * The secret of the volume served by this launcher's instance at {@code controlAddress}
     * ({@code host:port} or {@code tcp://host:port}), for signing control calls to it; null when no
     * instance of this launcher has that address. Every instance a launcher starts is given its
     * volume's secret ({@code --secret-file}), created when the volume's first instance starts.
     */
    VolumeSecret secretForAddress(String controlAddress);

    /** Deletes a volume's secret; called once the volume and all its instances are gone. */
    void deleteVolumeSecret(String volumeName);

    /** Registers a listener called with an instance's name whenever its state changes. */
    void addListener(Consumer<String> listener);
}
