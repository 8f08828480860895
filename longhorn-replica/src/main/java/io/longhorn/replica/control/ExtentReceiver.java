package io.longhorn.replica.control;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.longhorn.api.replica.DataChunk;
import io.longhorn.api.replica.WriteExtentsResponse;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Receives a WriteExtents stream into layer files. Chunks are written one at a time, in order, on
 * the work pool; the next one is requested from the transport only after the previous one is in
 * the file, so a fast sender cannot pile data up in memory.
 */
final class ExtentReceiver implements StreamObserver<DataChunk> {
    private final ServedReplica served;
    private final StreamObserver<WriteExtentsResponse> out;
    private final ServerCallStreamObserver<WriteExtentsResponse> call;
    private final Executor work;
    /** Ordered chain of pending work; gRPC delivers this call's callbacks one at a time. */
    private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);
    private volatile boolean failed;
    // Touched only by the serialized work items.
    private String file;
    private long bytes;

    ExtentReceiver(ServedReplica served, StreamObserver<WriteExtentsResponse> out, Executor work) {
        this.served = served;
        this.out = out;
        this.call = ReplicaControlService.callObserver(out);
        this.work = work;
    }

    StreamObserver<DataChunk> start() {
        if (call != null) {
            call.disableAutoRequest();
            call.request(1);
        }
        return this;
    }

    @Override
    public void onNext(DataChunk chunk) {
        submit(() -> {
            write(chunk);
            if (call != null) {
                call.request(1);
            }
        });
    }

    private void write(DataChunk chunk) {
        if (!chunk.getFile().isEmpty()) {
            file = chunk.getFile();
        }
        if (file == null) {
            throw new IllegalArgumentException("the first chunk of a WriteExtents stream must name its file");
        }
        served.replica().writeFile(file, chunk.getOffset(), chunk.getData().asReadOnlyByteBuffer());
        bytes += chunk.getData().size();
    }

    @Override
    public void onError(Throwable t) {
        failed = true; // the sender cancelled; nothing to answer
    }

    @Override
    public void onCompleted() {
        submit(() -> {
            out.onNext(WriteExtentsResponse.newBuilder().setBytesWritten(bytes).build());
            out.onCompleted();
        });
    }

    private void submit(Runnable step) {
        tail = tail.thenRunAsync(() -> {
            if (failed) {
                return;
            }
            try {
                step.run();
            } catch (Throwable t) {
                failed = true;
                out.onError(GrpcErrors.toStatus(t));
            }
        }, work);
    }
}
