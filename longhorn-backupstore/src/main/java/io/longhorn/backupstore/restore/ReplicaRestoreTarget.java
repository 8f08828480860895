package io.longhorn.backupstore.restore;

import io.longhorn.api.client.ReplicaDataClient;
import io.longhorn.api.replica.ReplicaInfo;
import io.longhorn.api.replica.SnapshotInfo;
import io.longhorn.api.types.Address;
import io.longhorn.api.wire.Hello;
import io.longhorn.api.auth.VolumeSecret;
import io.longhorn.backupstore.error.TargetIOException;
import io.longhorn.backupstore.source.replica.ReplicaSnapshotSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.jboss.logging.Logger;

/**
 * One replica of the volume being restored: its control API tells size, state and data address;
 * blocks go to its head through the data protocol. A failed restore marks the replica with an error
 * ({@code SetError}: Longhorn's {@code Error} field of its {@code volume.meta}), which the replica
 * reports from then on, across restarts, and which makes an engine refuse it.
 */
public final class ReplicaRestoreTarget implements RestoreTarget {
    private static final Logger LOG = Logger.getLogger(ReplicaRestoreTarget.class);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final Address control;
    private final ReplicaSnapshotSource controlClient;
    private final ReplicaInfo info;
    private final ReplicaDataClient data;

    private ReplicaRestoreTarget(Address control, ReplicaSnapshotSource controlClient, ReplicaInfo info,
                                 ReplicaDataClient data) {
        this.control = control;
        this.controlClient = controlClient;
        this.info = info;
        this.data = data;
    }

    /**
     * Connects to a replica by its control address ({@code host:port}).
     *
     * @throws TargetIOException when the replica cannot be reached
     */
    public static ReplicaRestoreTarget connect(Address control) {
        return connect(control, null);
    }

    /**
     * Connects to a replica by its control address, proving {@code secret} on its control and data
     * connections (null: a replica without one).
     *
     * @throws TargetIOException when the replica cannot be reached or refuses the secret
     */
    public static ReplicaRestoreTarget connect(Address control, VolumeSecret secret) {
        ReplicaSnapshotSource client = new ReplicaSnapshotSource(control, secret);
        try {
            ReplicaInfo info = client.replicaInfo();
            if (info.getDataAddress().isEmpty()) {
                throw new TargetIOException("replica " + control.hostPort() + " reports no data address");
            }
            // A restore serves no volume; it writes at the replica's generation, and is refused while
            // an engine that recorded it still serves the replica.
            ReplicaDataClient dc = ReplicaDataClient.connect(Address.parse(info.getDataAddress()), CONNECT_TIMEOUT,
                    new Hello("", info.getGeneration(), "restore-" + ProcessHandle.current().pid()), secret);
            return new ReplicaRestoreTarget(control, client, info, dc);
        } catch (IOException e) {
            client.close();
            throw new TargetIOException("cannot connect to the data server of replica " + control.hostPort() + ": "
                    + e.getMessage(), e);
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    @Override
    public String describe() {
        return "replica " + control.hostPort();
    }

    @Override
    public long size() {
        return info.getSize();
    }

    @Override
    public boolean isEmpty() {
        for (SnapshotInfo s : info.getSnapshotsList()) {
            if (!controlClient.extents(s.getFile()).isEmpty()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public CompletableFuture<Void> write(long offset, byte[] buf, int length) {
        return data.write(offset, ByteBuffer.wrap(buf, 0, length), false);
    }

    @Override
    public CompletableFuture<Void> writeZeros(long offset, int length) {
        return data.writeZeroes(offset, length);
    }

    @Override
    public CompletableFuture<Void> flush() {
        return data.flush();
    }

    @Override
    public void markFailed(String reason) {
        LOG.errorf("replica %s: restore failed, its content is incomplete: %s", control.hostPort(), reason);
        try {
            controlClient.setError("restore failed, the content is incomplete: " + reason);
        } catch (RuntimeException e) {
            LOG.errorf("replica %s: could not mark it failed: %s", control.hostPort(), e.getMessage());
        }
    }

    @Override
    public String failure() {
        return info.getError().isEmpty() ? null : info.getError();
    }

    @Override
    public void clearFailure() {
        if (!info.getError().isEmpty()) {
            controlClient.setError("");
            LOG.infof("replica %s: failure mark cleared, the whole content was rewritten", control.hostPort());
        }
    }

    @Override
    public void close() {
        data.close();
        controlClient.close();
    }
}
