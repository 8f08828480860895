package io.longhorn.engine.backend;

import io.longhorn.api.client.ReplicaDataClient;
import io.longhorn.api.replica.ReplicaInfo;
import io.longhorn.api.types.Address;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Connects to real replicas: gRPC for control, the binary data protocol for blocks. */
public final class RemoteReplicaConnector implements ReplicaConnector {

    private final ControlTimeouts timeouts;
    private final Duration connectTimeout;

    public RemoteReplicaConnector(ControlTimeouts timeouts, Duration connectTimeout) {
        this.timeouts = timeouts;
        this.connectTimeout = connectTimeout;
    }

    @Override
    public ReplicaControl control(Address controlAddress) {
        return new GrpcReplicaControl(controlAddress, timeouts);
    }

    @Override
    public ReplicaDataPath data(Address controlAddress, ReplicaInfo info) throws IOException {
        Address data = dataAddress(controlAddress, info);
        return new RemoteDataPath(ReplicaDataClient.connect(data, connectTimeout));
    }

    /**
     * The replica's Unix socket when it is on this host (saves the TCP stack on every request),
     * else its TCP data address.
     */
    static Address dataAddress(Address controlAddress, ReplicaInfo info) throws IOException {
        if (!info.getDataSocket().isEmpty() && isLocal(controlAddress) && Files.exists(Path.of(info.getDataSocket()))) {
            return Address.unix(Path.of(info.getDataSocket()));
        }
        if (info.getDataAddress().isEmpty()) {
            throw new IOException("replica " + controlAddress + " reports no data address");
        }
        try {
            return Address.parse(info.getDataAddress());
        } catch (IllegalArgumentException e) {
            throw new IOException("replica " + controlAddress + " reports an invalid data address: " + e.getMessage(), e);
        }
    }

    private static boolean isLocal(Address address) {
        try {
            return InetAddress.getByName(address.host()).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
