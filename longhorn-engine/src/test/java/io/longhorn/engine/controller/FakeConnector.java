package io.longhorn.engine.controller;

import io.longhorn.api.replica.ReplicaInfo;
import io.longhorn.api.types.Address;
import io.longhorn.engine.backend.ReplicaConnector;
import io.longhorn.engine.backend.ReplicaControl;
import io.longhorn.engine.backend.ReplicaDataPath;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Connects to {@link FakeReplica}s by address; unknown addresses are unreachable. */
final class FakeConnector implements ReplicaConnector {

    final Map<String, FakeReplica> replicas = new LinkedHashMap<>();

    FakeReplica add(String address, int size, long generation) {
        FakeReplica r = new FakeReplica(Address.parse(address).toString(), size, generation);
        replicas.put(r.address, r);
        return r;
    }

    @Override
    public ReplicaControl control(Address controlAddress) {
        FakeReplica r = replicas.get(controlAddress.toString());
        if (r == null) {
            FakeReplica gone = new FakeReplica(controlAddress.toString(), 0, 0);
            gone.failControl = true;
            return gone;
        }
        return r;
    }

    @Override
    public ReplicaDataPath data(Address controlAddress, ReplicaInfo info, long generation) throws IOException {
        FakeReplica r = replicas.get(controlAddress.toString());
        if (r == null) {
            throw new IOException("cannot connect to replica " + controlAddress);
        }
        r.closed = false;
        return r;
    }
}
