package io.longhorn.csi;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/** Polls until a condition holds, with a limit (DEADLINE_EXCEEDED naming what was awaited). */
final class Waits {
    private Waits() {
    }

    static <T> T until(String what, Duration limit, Supplier<Optional<T>> check) {
        long deadline = System.nanoTime() + limit.toNanos();
        long pause = 100;
        while (true) {
            Optional<T> r = check.get();
            if (r.isPresent()) {
                return r.get();
            }
            if (System.nanoTime() > deadline) {
                throw Errors.deadline("gave up after " + limit.toSeconds() + " s waiting for " + what);
            }
            BlockDevices.sleep(pause);
            pause = Math.min(pause * 2, 1000);
        }
    }
}
