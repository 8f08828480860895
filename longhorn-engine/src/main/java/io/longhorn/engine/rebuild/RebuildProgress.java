package io.longhorn.engine.rebuild;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/** How far the rebuild of one replica is; written by the rebuild, read by rebuild-status. */
public final class RebuildProgress {

    /** Where a rebuild stands. */
    public enum State {
        IN_PROGRESS,
        COMPLETE,
        FAILED
    }

    private final String target;
    private final Instant started = Instant.now();
    private volatile String source = "";
    private volatile State state = State.IN_PROGRESS;
    private final AtomicLong total = new AtomicLong();
    private final AtomicLong done = new AtomicLong();
    private final AtomicLong copied = new AtomicLong();
    private volatile String currentFile = "";
    private volatile String error = "";
    private volatile Instant finished;

    public RebuildProgress(String target) {
        this.target = target;
    }

    public String target() {
        return target;
    }

    public String source() {
        return source;
    }

    public void source(String source) {
        this.source = source;
    }

    public State state() {
        return state;
    }

    public long total() {
        return total.get();
    }

    public long done() {
        return done.get();
    }

    public long copied() {
        return copied.get();
    }

    public String currentFile() {
        return currentFile;
    }

    public String error() {
        return error;
    }

    public Instant started() {
        return started;
    }

    /** Null while in progress. */
    public Instant finished() {
        return finished;
    }

    /** 0 to 100; 100 only once complete. */
    public int percent() {
        if (state == State.COMPLETE) {
            return 100;
        }
        long t = total.get();
        if (t == 0) {
            return 0;
        }
        return (int) Math.min(99, done.get() * 100 / t);
    }

    void addTotal(long bytes) {
        total.addAndGet(bytes);
    }

    void addDone(long bytes) {
        done.addAndGet(bytes);
    }

    void addCopied(long bytes) {
        copied.addAndGet(bytes);
    }

    void currentFile(String file) {
        this.currentFile = file;
    }

    public void complete() {
        currentFile = "";
        finished = Instant.now();
        state = State.COMPLETE;
    }

    public void fail(String why) {
        error = why;
        finished = Instant.now();
        state = State.FAILED;
    }
}
