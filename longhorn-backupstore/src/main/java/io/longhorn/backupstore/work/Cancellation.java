package io.longhorn.backupstore.work;

import io.longhorn.backupstore.error.CancelledException;

/** A flag an operation checks between blocks; set by whoever wants it to stop. */
public final class Cancellation {
    private volatile String reason;

    public void cancel(String why) {
        if (reason == null) {
            reason = why == null ? "cancelled" : why;
        }
    }

    public boolean isCancelled() {
        return reason != null;
    }

    /**
     * @throws CancelledException naming {@code what} when cancelled
     */
    public void check(String what) {
        String r = reason;
        if (r != null) {
            throw new CancelledException(what + " was cancelled: " + r);
        }
    }
}
