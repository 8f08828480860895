package io.longhorn.replica.control;

import com.google.protobuf.UnsafeByteOperations;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.longhorn.api.replica.DataChunk;
import io.longhorn.replica.store.Extent;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Streams extents of a layer file as {@link DataChunk}s of at most 1 MiB, reading the next chunk
 * only while the transport is ready for it, so a slow receiver holds at most a few chunks in
 * memory instead of the whole file.
 */
final class ExtentStreamer {
    private final ServedReplica served;
    private final String file;
    private final List<Extent> extents;
    private final StreamObserver<DataChunk> out;
    private final ServerCallStreamObserver<DataChunk> call;
    private final Executor work;
    private final AtomicInteger wip = new AtomicInteger();
    private volatile boolean cancelled;
    // Touched only inside drain(), which never runs twice at once.
    private boolean started;
    private boolean done;
    private int index;
    private long pos;

    ExtentStreamer(ServedReplica served, String file, List<Extent> extents, StreamObserver<DataChunk> out, Executor work) {
        this.served = served;
        this.file = file;
        this.extents = extents;
        this.out = out;
        this.call = ReplicaControlService.callObserver(out);
        this.work = work;
        this.pos = extents.isEmpty() ? 0 : extents.getFirst().offset();
    }

    void start() {
        if (call != null) {
            call.setOnReadyHandler(this::schedule);
            call.setOnCancelHandler(() -> cancelled = true);
        }
        schedule();
    }

    private void schedule() {
        if (wip.getAndIncrement() == 0) {
            try {
                work.execute(this::drain);
            } catch (RejectedExecutionException e) {
                out.onError(GrpcErrors.toStatus(new ServedReplica.NotServingException("the replica is shutting down")));
            }
        }
    }

    private void drain() {
        int missed = 1;
        do {
            try {
                if (!started) {
                    started = true;
                    served.replica().fileSize(file); // NOT_FOUND for an unknown file, even with no extents
                }
                while (!done && !cancelled && (call == null || call.isReady())) {
                    DataChunk c = next();
                    if (c == null) {
                        done = true;
                        out.onCompleted();
                    } else {
                        out.onNext(c);
                    }
                }
            } catch (Throwable t) {
                if (!done) {
                    done = true;
                    out.onError(GrpcErrors.toStatus(t));
                }
            }
            missed = wip.addAndGet(-missed);
        } while (missed != 0);
    }

    /** The next chunk, or null after the last. */
    private DataChunk next() {
        while (index < extents.size() && pos >= extents.get(index).end()) {
            index++;
            if (index < extents.size()) {
                pos = extents.get(index).offset();
            }
        }
        if (index >= extents.size()) {
            return null;
        }
        int len = (int) Math.min(ReplicaControlService.STREAM_CHUNK, extents.get(index).end() - pos);
        byte[] data = new byte[len];
        served.replica().readFile(file, pos, ByteBuffer.wrap(data));
        DataChunk c = DataChunk.newBuilder().setFile(file).setOffset(pos)
                .setData(UnsafeByteOperations.unsafeWrap(data)).build();
        pos += len;
        return c;
    }
}
