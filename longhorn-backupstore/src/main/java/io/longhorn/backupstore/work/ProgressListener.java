package io.longhorn.backupstore.work;

/** Told how many of the operation's blocks are done; called from worker threads. */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = (done, total) -> {
    };

    void onProgress(long done, long total);

    /** Progress in whole percent; an operation with nothing to do is complete. */
    static int percent(long done, long total) {
        return total <= 0 ? 100 : (int) Math.min(100, done * 100 / total);
    }
}
