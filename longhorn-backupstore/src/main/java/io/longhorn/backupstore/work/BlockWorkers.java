package io.longhorn.backupstore.work;

import io.longhorn.backupstore.error.BackupStoreException;
import io.longhorn.backupstore.error.TargetIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Runs a task for each block offset on {@code workers} threads, so several blocks are in flight
 * (read, checksummed, compressed, transferred) at once. The first failure stops the others at
 * their next block and is rethrown; so is cancellation.
 */
public final class BlockWorkers {

    /** Work on one block with a worker's own context (its buffers). */
    @FunctionalInterface
    public interface Task<C> {
        void run(long offset, C context);
    }

    private BlockWorkers() {
    }

    /**
     * @param what     names the operation in errors, e.g. "backup backup-1 of volume vol1"
     * @param offsets  the blocks, processed roughly in order
     * @param context  makes one worker's context
     * @param progress told after every block
     */
    public static <C> void run(String what, int workers, long[] offsets, Supplier<C> context, Cancellation cancel,
                               ProgressListener progress, Task<C> task) {
        AtomicInteger next = new AtomicInteger();
        AtomicLong done = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        int n = Math.max(1, Math.min(workers, Math.max(1, offsets.length)));
        List<Thread> threads = new ArrayList<>(n);
        for (int w = 0; w < n; w++) {
            threads.add(Thread.ofPlatform().name("block-worker-" + w).daemon().start(() -> {
                try {
                    C ctx = context.get();
                    while (failure.get() == null && !cancel.isCancelled()) {
                        int i = next.getAndIncrement();
                        if (i >= offsets.length) {
                            break;
                        }
                        task.run(offsets[i], ctx);
                        progress.onProgress(done.incrementAndGet(), offsets.length);
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }));
        }
        boolean interrupted = false;
        for (Thread t : threads) {
            while (true) {
                try {
                    t.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                    cancel.cancel("interrupted");
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable f = failure.get();
        if (f instanceof BackupStoreException b) {
            throw b;
        }
        if (f instanceof Error e) {
            throw e;
        }
        if (f != null) {
            throw new TargetIOException(what + " failed: " + f, f);
        }
        cancel.check(what);
    }
}
