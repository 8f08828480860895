package io.longhorn.manager.events;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Keeps the last {@code capacity} events in memory (events are a diagnostic aid, not state: they do
 * not survive a restart, as Kubernetes events expire after an hour) and logs each one.
 */
public final class MemoryEventRecorder implements EventRecorder {
    private static final Logger LOG = Logger.getLogger(MemoryEventRecorder.class);

    private final int capacity;
    private final AtomicLong ids = new AtomicLong();
    private final Map<String, ManagerEvent> events = new LinkedHashMap<>();

    public MemoryEventRecorder(int capacity) {
        this.capacity = capacity;
    }

    @Override
    public synchronized void record(String eventType, String kind, String name, String reason, String message) {
        if (WARNING.equals(eventType)) {
            LOG.warnf("%s %s: %s: %s", kind, name, reason, message);
        } else {
            LOG.infof("%s %s: %s: %s", kind, name, reason, message);
        }
        String now = Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
        String key = String.join("\u0000", eventType, kind, name, reason, Objects.toString(message));
        ManagerEvent old = events.remove(key);
        ManagerEvent e = old == null
                ? new ManagerEvent(name + "." + Long.toHexString(ids.incrementAndGet()), eventType, kind, name, reason,
                message, now, now, 1)
                : new ManagerEvent(old.id(), eventType, kind, name, reason, message, old.firstTimestamp(), now,
                old.count() + 1);
        events.put(key, e);
        while (events.size() > capacity) {
            events.remove(events.keySet().iterator().next());
        }
    }

    @Override
    public synchronized List<ManagerEvent> list() {
        return new ArrayList<>(events.values());
    }
}
