package io.longhorn.engine.backend;

import io.longhorn.api.auth.VolumeSecret;
import io.longhorn.api.client.ReplicaDataClient;
import io.longhorn.api.replica.ReplicaInfo;
import io.longhorn.api.types.Address;
import io.longhorn.api.wire.Hello;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Connects to real replicas: gRPC for control, the binary data protocol for blocks. Both name this
 * engine by its instance id, so that replicas can fence off any other engine of the volume.
 */
public final class RemoteReplicaConnector implements ReplicaConnector {

    private final ControlTimeouts timeouts;
    private final Duration connectTimeout;
    private final String volume;
    private final String engine;
    private final VolumeSecret secret;

    /**
     * @param volume the volume name, announced on every data connection
     * @param engine this engine's instance id, unique per process start
     * @param secret the volume's secret, proven on every data connection and control call; null
     *               for replicas started without one
     */
    public RemoteReplicaConnector(ControlTimeouts timeouts, Duration connectTimeout, String volume, String engine,
                                  VolumeSecret secret) {
        this.secret = secret;
        this.timeouts = timeouts;
        this.connectTimeout = connectTimeout;
        this.volume = volume;
        this.engine = engine;
    }

    @Override
    public ReplicaControl control(Address controlAddress) {
        return new GrpcReplicaControl(controlAddress, timeouts, engine, secret);
    }

    @Override
    public ReplicaDataPath data(Address controlAddress, ReplicaInfo info, long generation) throws IOException {
        Address data = dataAddress(controlAddress, info);
        return new RemoteDataPath(ReplicaDataClient.connect(data, connectTimeout, new Hello(volume, generation, engine),
                secret));
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
        Address data;
        try {
            data = Address.parse(info.getDataAddress());
        } catch (IllegalArgumentException e) {
            throw new IOException("replica " + controlAddress + " reports an invalid data address: " + e.getMessage(), e);
        }
        // A replica that listens on every interface (in a Pod) reports the wildcard: its data
        // server is at the host the engine reached its control server on.
        if (data.path() == null && isWildcard(data.host()) && controlAddress.path() == null) {
            return Address.tcp(controlAddress.host(), data.port());
        }
        return data;
    }

    private static boolean isWildcard(String host) {
        try {
            return InetAddress.getByName(host).isAnyLocalAddress();
        } catch (UnknownHostException e) {
            return false;
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
