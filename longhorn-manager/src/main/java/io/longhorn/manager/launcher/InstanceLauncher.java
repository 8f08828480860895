package io.longhorn.manager.launcher;

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

    /** Registers a listener called with an instance's name whenever its state changes. */
    void addListener(Consumer<String> listener);
}
