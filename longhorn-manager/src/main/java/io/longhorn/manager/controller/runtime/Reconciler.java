package io.longhorn.manager.controller.runtime;

import java.util.List;

/** Brings one object (by name) towards its desired state. Must be idempotent. */
public interface Reconciler {
    /** Short name for logs and threads, e.g. {@code volume}. */
    String name();

    /**
     * Reconciles one key. Throwing requeues the key with back-off; a
     * {@link io.longhorn.manager.store.ConflictException} requeues it at once.
     */
    Result reconcile(String key) throws Exception;

    /** Every key, for periodic resync. */
    List<String> keys();
}
