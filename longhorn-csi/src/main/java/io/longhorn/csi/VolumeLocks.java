package io.longhorn.csi;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One operation at a time per volume (or snapshot name): a second call for the same name waits for
 * the first, and gets ABORTED when that takes longer than the wait, as the CSI specification asks
 * for operations already in progress.
 */
final class VolumeLocks {
    private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final long waitSeconds;

    VolumeLocks(long waitSeconds) {
        this.waitSeconds = waitSeconds;
    }

    <T> T with(String name, Supplier<T> body) {
        ReentrantLock lock = locks.computeIfAbsent(name, n -> new ReentrantLock());
        boolean locked;
        try {
            locked = lock.tryLock(waitSeconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Errors.aborted("interrupted while waiting for another operation on " + name);
        }
        if (!locked) {
            throw Errors.aborted("an operation on " + name + " is already in progress");
        }
        try {
            return body.get();
        } finally {
            lock.unlock();
        }
    }
}
