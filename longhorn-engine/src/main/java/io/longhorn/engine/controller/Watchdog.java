package io.longhorn.engine.controller;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Fails replicas that leave a request unanswered for longer than the replica timeout: every
 * slice of the timeout it advances each writer's {@link InflightTracker} and fails those with an
 * overdue request. It also fails replicas whose connection was lost while no request was in
 * flight, so that {@code info} shows a dead replica as ERR even on an idle volume. Failing closes the connection, which fails its pending requests, so the
 * requests waiting on that replica complete.
 */
final class Watchdog implements AutoCloseable {

    private final ScheduledExecutorService timer;
    private final ReplicaSet replicas;
    private final Duration timeout;

    Watchdog(ReplicaSet replicas, Duration timeout) {
        this.replicas = replicas;
        this.timeout = timeout;
        this.timer = Executors.newSingleThreadScheduledExecutor(r ->
                Thread.ofPlatform().daemon().name("lh-watchdog " + replicas.volume()).unstarted(r));
        long slice = Math.max(1, timeout.toMillis() / InflightTracker.SLICES_PER_TIMEOUT);
        timer.scheduleAtFixedRate(this::tick, slice, slice, TimeUnit.MILLISECONDS);
    }

    private void tick() {
        try {
            for (Member m : replicas.current().writers()) {
                if (m.inflight.tickAndCheckOverdue()) {
                    replicas.fail(m, "no answer within the replica timeout of " + timeout.toMillis() + " ms");
                } else if (!m.data().isOpen()) {
                    replicas.fail(m, "connection to the data server " + m.dataAddress() + " was lost");
                }
            }
        } catch (RuntimeException e) {
            // Never let one bad tick cancel the schedule.
            Logger.getLogger(Watchdog.class).warnf(e, "volume %s: watchdog tick failed", replicas.volume());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
