package io.longhorn.backupstore.source.replica;

import io.longhorn.api.client.ReplicaDataClient;
import io.longhorn.api.client.ReplicaDataException;
import io.longhorn.api.wire.WireStatus;
import io.longhorn.backupstore.error.InvalidInputException;
import io.longhorn.backupstore.error.TargetIOException;
import io.longhorn.backupstore.source.SnapshotReader;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads a snapshot of a running replica over its data protocol (READ_SNAPSHOT): one request per
 * block, answered with the block as the snapshot held it, the replica overlaying its chain. Reads
 * are pipelined on one connection, so a caller that starts the next block before it works on the
 * current one keeps the replica reading while it computes.
 */
final class DataProtocolReader implements SnapshotReader {
    private final ReplicaDataClient client;
    private final String snapshot;
    private final String description;
    private final long timeoutSeconds;

    DataProtocolReader(ReplicaDataClient client, String snapshot, String description, long timeoutSeconds) {
        this.client = client;
        this.snapshot = snapshot;
        this.description = description;
        this.timeoutSeconds = timeoutSeconds;
    }

    @Override
    public void read(long offset, byte[] buf, int length) {
        start(offset, buf, length).await();
    }

    @Override
    public Started start(long offset, byte[] buf, int length) {
        CompletableFuture<Void> f = client.readSnapshot(snapshot, offset, ByteBuffer.wrap(buf, 0, length));
        return () -> await(f, offset, length);
    }

    private void await(CompletableFuture<Void> f, long offset, int length) {
        String what = "cannot read " + length + " bytes at " + offset + " of snapshot " + snapshot + " from "
                + description;
        try {
            f.get(timeoutSeconds, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ReplicaDataException r && r.status() == WireStatus.EINVAL) {
                throw new InvalidInputException(what + ": " + r.getMessage(), r);
            }
            throw new TargetIOException(what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new TargetIOException(what + ": no answer within " + timeoutSeconds + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TargetIOException(what + ": interrupted", e);
        }
    }
}
