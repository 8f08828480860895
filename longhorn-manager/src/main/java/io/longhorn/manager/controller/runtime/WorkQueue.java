package io.longhorn.manager.controller.runtime;

import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Keys waiting to be reconciled. A key queued twice is processed once; a key added while it is being
 * processed is queued again when processing ends, so that no change is missed and no key is worked
 * on by two threads.
 */
final class WorkQueue {
    private final LinkedHashSet<String> queued = new LinkedHashSet<>();
    private final Set<String> processing = new HashSet<>();
    private final Set<String> dirty = new HashSet<>();
    private boolean closed;

    synchronized void add(String key) {
        if (closed) {
            return;
        }
        if (processing.contains(key)) {
            dirty.add(key);
            return;
        }
        if (queued.add(key)) {
            notifyAll();
        }
    }

    /** The next key, or null once closed. */
    synchronized String take() throws InterruptedException {
        while (queued.isEmpty() && !closed) {
            wait();
        }
        if (closed) {
            return null;
        }
        String key = queued.iterator().next();
        queued.remove(key);
        processing.add(key);
        return key;
    }

    synchronized void done(String key) {
        processing.remove(key);
        if (dirty.remove(key) && !closed) {
            queued.add(key);
            notifyAll();
        }
    }

    synchronized boolean idle() {
        return queued.isEmpty() && processing.isEmpty();
    }

    synchronized void close() {
        closed = true;
        notifyAll();
    }
}
