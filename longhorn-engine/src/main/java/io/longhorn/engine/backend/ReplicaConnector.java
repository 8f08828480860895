package io.longhorn.engine.backend;

import io.longhorn.api.replica.ReplicaInfo;
import io.longhorn.api.types.Address;
import java.io.IOException;

/** Opens the two paths to a replica. Tests substitute replicas that live in memory. */
public interface ReplicaConnector {

    /**
     * A control client for the replica at {@code controlAddress}. Creating it does not contact the
     * replica; the first call does.
     */
    ReplicaControl control(Address controlAddress);

    /**
     * Connects the data path to the replica described by {@code info} (its data address),
     * introducing this engine at {@code generation}: the replica refuses a generation below the one
     * recorded on it (see the replica's fence).
     *
     * @throws IOException naming the replica when it cannot connect or refuses the engine
     */
    ReplicaDataPath data(Address controlAddress, ReplicaInfo info, long generation) throws IOException;
}
