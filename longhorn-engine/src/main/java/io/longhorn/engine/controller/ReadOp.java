package io.longhorn.engine.controller;

import io.longhorn.api.wire.WireStatus;
import io.longhorn.engine.frontend.BlockDeviceException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * A read from one RW replica, chosen round robin. When that replica fails the read, it is taken
 * out of service and the read goes to the next RW replica, until none is left.
 *
 * <p>A retry reads into a buffer of its own and copies into the client's buffer once it
 * succeeded: the failed connection's I/O thread might still be filling the client's buffer
 * when its failure is reported.
 */
final class ReadOp implements Runnable {

    private final ReplicaSet set;
    private final IoGate gate;
    private final long offset;
    private final ByteBuffer dst;
    final CompletableFuture<Void> result = new CompletableFuture<>();
    private int attempts;
    private String lastError = "";

    ReadOp(ReplicaSet set, IoGate gate, long offset, ByteBuffer dst) {
        this.set = set;
        this.gate = gate;
        this.offset = offset;
        this.dst = dst;
    }

    CompletableFuture<Void> submit() {
        if (gate.tryEnter()) {
            run();
        } else {
            gate.defer(this::submit);
        }
        return result;
    }

    @Override
    public void run() {
        attempt(dst);
    }

    private void attempt(ByteBuffer into) {
        Topology t = set.current();
        Member m = set.nextReader(t);
        if (m == null || attempts > t.readers().length + 1) {
            gate.exit();
            result.completeExceptionally(new BlockDeviceException(WireStatus.EIO, "read of " + dst.remaining()
                    + " bytes at " + offset + " on volume " + set.volume() + " failed: no RW replica left"
                    + (lastError.isEmpty() ? "" : " (last error: " + lastError + ")")));
            return;
        }
        attempts++;
        int token = m.inflight.begin();
        CompletableFuture<Void> f;
        try {
            f = m.data().read(offset, into);
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        f.whenComplete((v, e) -> {
            m.inflight.end(token);
            if (e == null) {
                if (into != dst) {
                    dst.put(dst.position(), into, into.position(), into.remaining());
                }
                gate.exit();
                result.complete(null);
                return;
            }
            lastError = FanOut.cause(e).getMessage();
            set.fail(m, lastError);
            attempt(ByteBuffer.allocate(dst.remaining()));
        });
    }
}
