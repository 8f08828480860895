package io.longhorn.engine.controller;

import io.longhorn.api.wire.WireStatus;
import io.longhorn.engine.backend.ReplicaDataPath;
import io.longhorn.engine.frontend.BlockDeviceException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * One write-like request (write, write zeroes, trim, flush) sent to every writer of the topology
 * in parallel. It succeeds when every writer that did not fail answered and at least one of them
 * is still RW; replicas that fail are taken out of service, and then the acknowledgement waits
 * until the remaining replicas carry the new generation (see {@link ReplicaSet}).
 *
 * <p>Answers arrive on the replicas' I/O threads; the last one completes the client's future right
 * there, without a thread hop. Plain fields written before the atomic countdown are visible to the
 * thread that brings it to zero.
 */
final class FanOut implements Runnable {

    private static final VarHandle REMAINING;
    private static final VarHandle ACKED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            REMAINING = l.findVarHandle(FanOut.class, "remaining", int.class);
            ACKED = l.findVarHandle(FanOut.class, "acked", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ReplicaSet set;
    private final IoGate gate;
    private final String op;
    private final long offset;
    private final long length;
    private final Function<ReplicaDataPath, CompletableFuture<Void>> request;
    final CompletableFuture<Void> result = new CompletableFuture<>();

    private Topology topology;
    private Member[] writers;
    @SuppressWarnings("unused") // through REMAINING
    private volatile int remaining;
    /** Bit i: writers[i] answered OK. At most 64 writers, far more than any volume has. */
    @SuppressWarnings("unused") // through ACKED
    private volatile long acked;
    private volatile boolean anyFailed;

    /**
     * @param op      names the request in errors ("write", "flush"); with offset and length, the
     *                message is only built when there is an error
     * @param request sends the request to one replica
     */
    FanOut(ReplicaSet set, IoGate gate, String op, long offset, long length,
           Function<ReplicaDataPath, CompletableFuture<Void>> request) {
        this.set = set;
        this.gate = gate;
        this.op = op;
        this.offset = offset;
        this.length = length;
        this.request = request;
    }

    /** Sends the request through the gate (held back while I/O is paused). */
    CompletableFuture<Void> submit() {
        if (gate.tryEnter()) {
            run();
        } else {
            gate.defer(this::submit);
        }
        return result;
    }

    /** Inside the gate: sends to every writer. */
    @Override
    public void run() {
        Topology t = set.current();
        topology = t;
        Member[] ws = t.writers();
        writers = ws;
        if (!t.hasReaders() || ws.length > 64) {
            gate.exit();
            result.completeExceptionally(noReplica());
            return;
        }
        REMAINING.setVolatile(this, ws.length);
        for (int i = 0; i < ws.length; i++) {
            Member m = ws[i];
            int index = i;
            int token = m.inflight.begin();
            CompletableFuture<Void> f;
            try {
                f = request.apply(m.data());
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            f.whenComplete((v, e) -> onAnswer(m, index, token, e));
        }
    }

    private void onAnswer(Member m, int index, int token, Throwable error) {
        m.inflight.end(token);
        if (error == null) {
            ACKED.getAndBitwiseOr(this, 1L << index);
        } else {
            anyFailed = true;
            set.fail(m, cause(error).getMessage());
        }
        if ((int) REMAINING.getAndAdd(this, -1) == 1) {
            finish();
        }
    }

    private void finish() {
        gate.exit();
        // Without failures the topology we wrote to is the barrier (normally sealed long ago);
        // with failures, the topology that excludes the failed replicas, i.e. the current one.
        CompletableFuture<Void> barrier = anyFailed ? set.current().sealed() : topology.sealed();
        if (barrier.isDone()) {
            complete();
        } else {
            barrier.whenComplete((v, e) -> complete());
        }
    }

    private void complete() {
        long ok = (long) ACKED.getVolatile(this);
        for (int i = 0; i < writers.length; i++) {
            if ((ok & (1L << i)) != 0 && writers[i].mode() == ReplicaMode.RW) {
                result.complete(null);
                return;
            }
        }
        result.completeExceptionally(noReplica());
    }

    private BlockDeviceException noReplica() {
        String what = length == 0 && offset == 0 ? op : op + " of " + length + " bytes at " + offset;
        return new BlockDeviceException(WireStatus.EIO, what + " on volume " + set.volume()
                + " failed: no RW replica left");
    }

    static Throwable cause(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }
}
