package io.longhorn.api.client;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;

/**
 * The requests of one connection that wait for their replies, by request id.
 *
 * <p>Ids are handed out in increasing order, so while fewer than {@code slots} requests are in
 * flight, every one of them has its own slot, {@code id & (slots - 1)}: adding, finding and
 * removing a request is one array access and one compare-and-set, with no hashing and no boxed
 * key. The replica stops reading at 1024 requests per connection, so a table of 4096 slots is
 * rarely full; when a request's slot is still taken by an older one (a request that waits far
 * longer than those around it), the new one goes to an overflow map, which lookups consult only
 * when the slot does not hold the id asked for. Every request is in exactly one of the two places,
 * so nothing depends on how many are in flight.
 *
 * <p>Any thread may add, find and remove. An entry removed by one thread is not returned to
 * another: whoever removes it owns it (completes or fails its future).
 */
final class PendingTable<T extends PendingTable.Entry> {

    /** What the table holds: something with the id it was sent under. */
    interface Entry {
        long id();
    }

    private final AtomicReferenceArray<T> slots;
    private final int mask;
    private final ConcurrentHashMap<Long, T> overflow = new ConcurrentHashMap<>();

    /** @param slots a power of two */
    PendingTable(int slots) {
        if (slots <= 0 || Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("slots must be a positive power of two, got " + slots);
        }
        this.slots = new AtomicReferenceArray<>(slots);
        this.mask = slots - 1;
    }

    /** Adds an entry; its id must not be in the table. */
    void add(T e) {
        if (!slots.compareAndSet(index(e.id()), null, e)) {
            overflow.put(e.id(), e);
        }
    }

    /** The entry with this id, or null. */
    T get(long id) {
        T e = slots.get(index(id));
        if (e != null && e.id() == id) {
            return e;
        }
        return overflow.isEmpty() ? null : overflow.get(id);
    }

    /** Removes and returns the entry with this id; null when it is not (or no longer) there. */
    T remove(long id) {
        int i = index(id);
        T e = slots.get(i);
        if (e != null && e.id() == id) {
            return slots.compareAndSet(i, e, null) ? e : null;
        }
        return overflow.isEmpty() ? null : overflow.remove(id);
    }

    /** Removes every entry and hands each to {@code action}, once. */
    void removeAll(Consumer<? super T> action) {
        for (int i = 0; i < slots.length(); i++) {
            if (slots.get(i) != null) {
                T e = slots.getAndSet(i, null);
                if (e != null) {
                    action.accept(e);
                }
            }
        }
        for (Long id : overflow.keySet()) {
            T e = overflow.remove(id);
            if (e != null) {
                action.accept(e);
            }
        }
    }

    /** How many entries are in the table; not atomic with concurrent changes. For tests. */
    int size() {
        int n = overflow.size();
        for (int i = 0; i < slots.length(); i++) {
            if (slots.get(i) != null) {
                n++;
            }
        }
        return n;
    }

    /** How many entries live in the overflow map. For tests. */
    int overflowSize() {
        return overflow.size();
    }

    private int index(long id) {
        return (int) id & mask;
    }
}
