package io.longhorn.manager.controller.runtime;

import io.longhorn.manager.store.ConflictException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Runs reconcilers on worker threads. Each registered reconciler gets its own queue and workers;
 * {@link #enqueue} is cheap and safe from any thread (store listeners call it).
 */
public final class ControllerRuntime implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ControllerRuntime.class);
    private static final Duration MIN_BACKOFF = Duration.ofMillis(200);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final Map<String, Controller> controllers = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("controller-timer").factory());
    private final List<Thread> threads = new ArrayList<>();
    private final Duration resync;
    private volatile boolean started;
    private volatile Gate gate = (controller, key) -> true;

    /**
     * Whether this manager handles a key of a controller (in a cluster, the resource's owner does);
     * a key it does not handle is dropped. It may claim the resource (write itself as its owner),
     * and may throw as a reconcile does.
     */
    @FunctionalInterface
    public interface Gate {
        boolean handles(String controller, String key) throws Exception;
    }

    /** @param resync how often every key of every controller is reconciled even without a change */
    public ControllerRuntime(Duration resync) {
        this.resync = resync;
    }

    private final class Controller {
        final Reconciler reconciler;
        final int workers;
        final WorkQueue queue = new WorkQueue();
        final Map<String, Duration> backoff = new ConcurrentHashMap<>();

        Controller(Reconciler reconciler, int workers) {
            this.reconciler = reconciler;
            this.workers = workers;
        }

        void work() {
            while (true) {
                String key;
                try {
                    key = queue.take();
                } catch (InterruptedException e) {
                    return;
                }
                if (key == null) {
                    return;
                }
                try {
                    if (!gate.handles(reconciler.name(), key)) {
                        backoff.remove(key);
                        continue;
                    }
                    Result r = reconciler.reconcile(key);
                    backoff.remove(key);
                    if (r != null && r.requeueAfter() != null) {
                        enqueueAfter(reconciler.name(), key, r.requeueAfter());
                    }
                } catch (ConflictException e) {
                    LOG.debugf("%s %s: conflict, requeued: %s", reconciler.name(), key, e.getMessage());
                    enqueueAfter(reconciler.name(), key, Duration.ofMillis(20));
                } catch (Exception e) {
                    Duration d = backoff.merge(key, MIN_BACKOFF, (old, min) -> {
                        Duration next = old.multipliedBy(2);
                        return next.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : next;
                    });
                    LOG.warnf(e, "%s %s: reconcile failed, retrying in %d ms: %s", reconciler.name(), key, d.toMillis(),
                            e.getMessage());
                    enqueueAfter(reconciler.name(), key, d);
                } catch (Throwable t) {
                    LOG.errorf(t, "%s %s: reconcile failed", reconciler.name(), key);
                    enqueueAfter(reconciler.name(), key, MAX_BACKOFF);
                } finally {
                    queue.done(key);
                }
            }
        }
    }

    /** Adds a reconciler with {@code workers} threads. Call before {@link #start}. */
    public void register(Reconciler reconciler, int workers) {
        controllers.put(reconciler.name(), new Controller(reconciler, workers));
    }

    /** Sets the gate every key passes before its reconcile (by default every key is handled). */
    public void setGate(Gate gate) {
        this.gate = gate;
    }

    /** Starts the workers, queues every existing key, and schedules resyncs. */
    public synchronized void start() {
        if (started) {
            return;
        }
        started = true;
        for (Controller c : controllers.values()) {
            for (int i = 0; i < c.workers; i++) {
                Thread t = Thread.ofPlatform().daemon().name("controller-" + c.reconciler.name() + "-" + i).start(c::work);
                threads.add(t);
            }
        }
        resyncAll();
        timer.scheduleWithFixedDelay(this::resyncAll, resync.toMillis(), resync.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void resyncAll() {
        for (Controller c : controllers.values()) {
            try {
                c.reconciler.keys().forEach(c.queue::add);
            } catch (RuntimeException e) {
                LOG.warnf(e, "cannot list keys of %s", c.reconciler.name());
            }
        }
    }

    public void enqueue(String controller, String key) {
        Controller c = controllers.get(controller);
        if (c != null && key != null && !key.isEmpty()) {
            c.queue.add(key);
        }
    }

    public void enqueueAll(String controller) {
        Controller c = controllers.get(controller);
        if (c != null) {
            c.reconciler.keys().forEach(c.queue::add);
        }
    }

    public void enqueueAfter(String controller, String key, Duration delay) {
        if (timer.isShutdown()) {
            return;
        }
        timer.schedule(() -> enqueue(controller, key), Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
    }

    /** Whether every queue is empty and no reconcile runs (tests wait for this). */
    public boolean idle() {
        return controllers.values().stream().allMatch(c -> c.queue.idle());
    }

    @Override
    public void close() {
        timer.shutdownNow();
        controllers.values().forEach(c -> c.queue.close());
        for (Thread t : threads) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
