package io.longhorn.engine.backend;

import io.longhorn.api.client.ReplicaDataClient;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/** {@link ReplicaDataPath} over a {@link ReplicaDataClient} connection to a replica's data server. */
public final class RemoteDataPath implements ReplicaDataPath {

    private final ReplicaDataClient client;

    public RemoteDataPath(ReplicaDataClient client) {
        this.client = client;
    }

    @Override
    public String address() {
        return client.address().toString();
    }

    @Override
    public CompletableFuture<Void> read(long offset, ByteBuffer dst) {
        return client.read(offset, dst);
    }

    @Override
    public CompletableFuture<Void> write(long offset, ByteBuffer src, boolean fua) {
        return client.write(offset, src, fua);
    }

    @Override
    public CompletableFuture<Void> writeZeroes(long offset, long length) {
        return client.writeZeroes(offset, length);
    }

    @Override
    public CompletableFuture<Void> unmap(long offset, long length) {
        return client.unmap(offset, length);
    }

    @Override
    public CompletableFuture<Void> flush() {
        return client.flush();
    }

    @Override
    public boolean isOpen() {
        return client.isOpen();
    }

    @Override
    public void close() {
        client.close();
    }

    @Override
    public String toString() {
        return "data path to " + client.address();
    }
}
