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

    /**
     * Work on one block in two steps: {@code start} begins it (e.g. a read that completes in the
     * background) and returns a handle, {@code finish} completes it. Each context belongs to one
     * block at a time.
     */
    public interface TwoStepTask<C, H> {
        H start(long offset, C context);

        void finish(long offset, C context, H started);
    }

    private BlockWorkers() {
    }

    /**
     * Like {@link #run}, but each worker starts its next block before it finishes the current one,
     * so that what {@code start} does in the background (reading the next block from a replica)
     * overlaps with what {@code finish} computes (checksum, compression, storing the current one).
     * A worker holds two contexts. A block started when a failure or cancellation stops the worker
     * is abandoned unfinished.
     */
    public static <C, H> void runOverlapped(String what, int workers, long[] offsets, Supplier<C> context,
                                            Cancellation cancel, ProgressListener progress, TwoStepTask<C, H> task) {
        AtomicInteger next = new AtomicInteger();
        AtomicLong done = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        runThreads(what, workers, offsets.length, cancel, failure, () -> {
            List<C> ctx = List.of(context.get(), context.get());
            int i = next.getAndIncrement();
            if (i >= offsets.length) {
                return;
            }
            int slot = 0;
            H started = task.start(offsets[i], ctx.get(slot));
            while (true) {
                int j = failure.get() == null && !cancel.isCancelled() ? next.getAndIncrement() : offsets.length;
                H following = j < offsets.length ? task.start(offsets[j], ctx.get(1 - slot)) : null;
                task.finish(offsets[i], ctx.get(slot), started);
                progress.onProgress(done.incrementAndGet(), offsets.length);
                if (j >= offsets.length) {
                    return;
                }
                i = j;
                started = following;
                slot = 1 - slot;
            }
        });
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
        runThreads(what, workers, offsets.length, cancel, failure, () -> {
            C ctx = context.get();
            while (failure.get() == null && !cancel.isCancelled()) {
                int i = next.getAndIncrement();
                if (i >= offsets.length) {
                    break;
                }
                task.run(offsets[i], ctx);
                progress.onProgress(done.incrementAndGet(), offsets.length);
            }
        });
    }

    /** Runs {@code worker} on up to {@code workers} threads, then rethrows the first failure. */
    private static void runThreads(String what, int workers, int blocks, Cancellation cancel,
                                   AtomicReference<Throwable> failure, Runnable worker) {
        int n = Math.max(1, Math.min(workers, Math.max(1, blocks)));
        List<Thread> threads = new ArrayList<>(n);
        for (int w = 0; w < n; w++) {
            threads.add(Thread.ofPlatform().name("block-worker-" + w).daemon().start(() -> {
                try {
                    worker.run();
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
