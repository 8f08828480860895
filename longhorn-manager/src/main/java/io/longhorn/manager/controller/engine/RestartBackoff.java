package io.longhorn.manager.controller.engine;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Spaces out restarts of an instance that keeps failing: 1 s, 2 s, 4 s, ... up to 30 s. */
final class RestartBackoff {
    private static final Duration MAX = Duration.ofSeconds(30);

    private record Entry(int failures, Instant notBefore) {
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final Clock clock;

    RestartBackoff(Clock clock) {
        this.clock = clock;
    }

    /** How long to wait before starting again; zero when allowed now. */
    Duration remaining(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            return Duration.ZERO;
        }
        Duration d = Duration.between(clock.instant(), e.notBefore());
        return d.isNegative() ? Duration.ZERO : d;
    }

    void failed(String name) {
        entries.compute(name, (k, e) -> {
            int failures = e == null ? 1 : e.failures() + 1;
            Duration wait = Duration.ofSeconds(1L << Math.min(failures - 1, 5));
            if (wait.compareTo(MAX) > 0) {
                wait = MAX;
            }
            return new Entry(failures, clock.instant().plus(wait));
        });
    }

    void succeeded(String name) {
        entries.remove(name);
    }
}
