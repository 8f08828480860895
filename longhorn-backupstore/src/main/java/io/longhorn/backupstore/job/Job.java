package io.longhorn.backupstore.job;

import io.longhorn.backupstore.format.Times;
import io.longhorn.backupstore.work.Cancellation;
import io.longhorn.backupstore.work.ProgressListener;

/** One running or finished job; updated by its thread, read by anyone. */
public final class Job implements ProgressListener {
    private final String id;
    private final JobKind kind;
    private final Cancellation cancellation = new Cancellation();
    private final String started = Times.now();
    private final long startNanos = System.nanoTime();
    private volatile long endNanos;
    private volatile JobState state = JobState.PENDING;
    private volatile String volumeName;
    private volatile String snapshotName;
    private volatile String backupName;
    private volatile String backupUrl;
    private volatile long blocksTotal;
    private volatile long blocksDone;
    private volatile long bytesUploaded;
    private volatile boolean incremental;
    private volatile String error;
    private volatile boolean targetIncomplete;
    private volatile String finished;

    Job(String id, JobKind kind, String volumeName, String snapshotName, String backupName, String backupUrl) {
        this.id = id;
        this.kind = kind;
        this.volumeName = volumeName;
        this.snapshotName = snapshotName;
        this.backupName = backupName;
        this.backupUrl = backupUrl;
    }

    public String id() {
        return id;
    }

    Cancellation cancellation() {
        return cancellation;
    }

    @Override
    public void onProgress(long done, long total) {
        blocksDone = done;
        blocksTotal = total;
    }

    void running() {
        state = JobState.RUNNING;
    }

    void backupDone(String volume, String name, String url, boolean inc, long uploaded) {
        volumeName = volume;
        backupName = name;
        backupUrl = url;
        incremental = inc;
        bytesUploaded = uploaded;
        finish(JobState.COMPLETED, null, false);
    }

    void restoreDone(boolean inc) {
        incremental = inc;
        finish(JobState.COMPLETED, null, false);
    }

    void copyDone() {
        finish(JobState.COMPLETED, null, false);
    }

    /** @param incomplete a restore or copy that had begun writing: its target holds partial content */
    synchronized void finish(JobState end, String why, boolean incomplete) {
        if (state.isFinal()) {
            return;
        }
        error = why;
        targetIncomplete = incomplete;
        finished = Times.now();
        endNanos = System.nanoTime();
        state = end;
    }

    public synchronized JobStatus status() {
        int progress = state == JobState.COMPLETED ? 100 : ProgressListener.percent(blocksDone, blocksTotal);
        if (state == JobState.PENDING || (state == JobState.RUNNING && blocksTotal == 0)) {
            progress = 0;
        }
        long elapsed = ((state.isFinal() ? endNanos : System.nanoTime()) - startNanos) / 1_000_000;
        return new JobStatus(id, kind, state, progress, error, volumeName, snapshotName, backupName, backupUrl,
                blocksTotal, blocksDone, bytesUploaded, incremental, started, finished, elapsed, targetIncomplete);
    }
}
