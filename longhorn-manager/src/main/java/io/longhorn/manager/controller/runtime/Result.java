package io.longhorn.manager.controller.runtime;

import java.time.Duration;

/** What to do after a reconcile: nothing more, or look again after a delay. */
public record Result(Duration requeueAfter) {
    public static final Result DONE = new Result(null);

    public static Result after(Duration delay) {
        return new Result(delay);
    }

    public static Result afterMillis(long millis) {
        return new Result(Duration.ofMillis(millis));
    }

    /** The earlier of two requeues (DONE counts as never). */
    public Result min(Result other) {
        if (requeueAfter == null) {
            return other;
        }
        if (other.requeueAfter == null) {
            return this;
        }
        return requeueAfter.compareTo(other.requeueAfter) <= 0 ? this : other;
    }
}
