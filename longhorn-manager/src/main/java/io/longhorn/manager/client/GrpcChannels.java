package io.longhorn.manager.client;

import io.longhorn.api.auth.GrpcAuth;
import io.longhorn.api.auth.VolumeSecret;
import java.util.function.Function;
import java.util.function.Supplier;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.longhorn.api.types.Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One gRPC channel per address, kept while the manager runs. Channels reconnect by themselves, so an
 * engine restarted on the same address is reached again without a new channel.
 */
public final class GrpcChannels implements EngineClients, ReplicaClients, BackupClients.Factory, AutoCloseable {
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    /** Channels to backup services, whose calls prove the backup service's secret instead. */
    private final Map<String, ManagedChannel> backupChannels = new ConcurrentHashMap<>();
    private final Function<String, VolumeSecret> secrets;

    /** Channels whose calls carry no credential (for services that require none). */
    public GrpcChannels() {
        this(address -> null);
    }

    /**
     * Channels whose calls to an engine or replica prove its volume's secret (see
     * {@link GrpcAuth}); {@code secrets} gives it by control address at each call, or null for an
     * address that is no instance (a backup service).
     */
    public GrpcChannels(Function<String, VolumeSecret> secrets) {
        this.secrets = secrets;
    }

    private ManagedChannel channel(String address) {
        return channels.computeIfAbsent(address, a -> build(a, () -> secrets.apply(a)));
    }

    private static ManagedChannel build(String address, Supplier<VolumeSecret> secret) {
        Address parsed = Address.parse(address);
        return Grpc.newChannelBuilderForAddress(parsed.host(), parsed.port(), InsecureChannelCredentials.create())
                .maxInboundMessageSize(16 << 20)
                .intercept(GrpcAuth.client("manager", secret))
                .build();
    }

    @Override
    public EngineClient forAddress(String controlAddress) {
        return new GrpcEngineClient(controlAddress, channel(controlAddress));
    }

    /** A replica's control API, for snapshot data integrity checks. */
    @Override
    public ReplicaClient forReplica(String controlAddress) {
        return new GrpcReplicaClient(controlAddress, channel(controlAddress));
    }

    @Override
    public BackupClient backupClient(String address, Supplier<VolumeSecret> serviceSecret) {
        return new GrpcBackupClient(address, backupChannels.computeIfAbsent(address, a -> build(a, serviceSecret)), secrets);
    }

    /** Drops the channel of an address that will not come back (a stopped instance's port). */
    public void forget(String address) {
        ManagedChannel ch = channels.remove(address);
        if (ch != null) {
            ch.shutdownNow();
        }
    }

    @Override
    public void close() {
        List<ManagedChannel> all = new ArrayList<>(channels.values());
        all.addAll(backupChannels.values());
        for (ManagedChannel ch : all) {
            ch.shutdownNow();
        }
        for (ManagedChannel ch : all) {
            try {
                ch.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        channels.clear();
        backupChannels.clear();
    }
}
