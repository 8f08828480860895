package io.longhorn.api.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PendingTableTest {

    private record Req(long id) implements PendingTable.Entry {
    }

    @Test
    void anEntryIsFoundByItsIdAndRemovedOnce() {
        PendingTable<Req> t = new PendingTable<>(8);
        Req r = new Req(5);
        t.add(r);
        assertSame(r, t.get(5));
        assertSame(r, t.remove(5));
        assertNull(t.remove(5), "a second remove must not hand the entry out again");
        assertNull(t.get(5));
        assertEquals(0, t.size());
    }

    @Test
    void anUnknownIdIsNotFoundEvenWhenItsSlotHoldsAnotherRequest() {
        PendingTable<Req> t = new PendingTable<>(8);
        t.add(new Req(3));
        assertNull(t.get(11), "id 11 shares the slot of id 3");
        assertNull(t.remove(11));
        assertNull(t.get(4));
        assertNull(t.remove(4));
        assertEquals(1, t.size(), "removing an unknown id must leave the others alone");
    }

    @Test
    void idsWrapAroundTheSlotsOnceTheOlderRequestsAreAnswered() {
        PendingTable<Req> t = new PendingTable<>(4);
        for (long id = 1; id <= 1000; id++) {
            Req r = new Req(id);
            t.add(r);
            if (id > 3) {
                assertSame(t.get(id - 3), t.remove(id - 3));
            }
        }
        assertEquals(0, t.overflowSize(), "with fewer requests in flight than slots nothing overflows");
        assertEquals(3, t.size());
    }

    @Test
    void aFullTableTakesMoreRequestsInItsOverflowAndFindsThemAll() {
        PendingTable<Req> t = new PendingTable<>(4);
        List<Req> all = new ArrayList<>();
        for (long id = 1; id <= 20; id++) {
            Req r = new Req(id);
            all.add(r);
            t.add(r);
        }
        assertEquals(20, t.size());
        assertEquals(16, t.overflowSize());
        for (Req r : all) {
            assertSame(r, t.get(r.id()));
        }
        // Answer out of order, the old ones (in the slots) last.
        for (int i = all.size() - 1; i >= 0; i--) {
            assertSame(all.get(i), t.remove(all.get(i).id()));
        }
        assertEquals(0, t.size());
        // The slots are free again: new ids land there.
        t.add(new Req(21));
        assertEquals(0, t.overflowSize());
    }

    @Test
    void removeAllHandsOutEveryRequestInFlightExactlyOnce() {
        PendingTable<Req> t = new PendingTable<>(8);
        for (long id = 1; id <= 30; id++) {
            t.add(new Req(id));
        }
        t.remove(7);
        Set<Long> failed = new HashSet<>();
        t.removeAll(r -> assertTrue(failed.add(r.id()), "request " + r.id() + " failed twice"));
        assertEquals(29, failed.size());
        assertTrue(!failed.contains(7L));
        assertEquals(0, t.size());
        t.removeAll(r -> {
            throw new AssertionError("nothing is left to fail, yet " + r.id() + " was handed out");
        });
    }

    @Test
    void concurrentRemoversNeverBothGetTheSameRequest() throws Exception {
        PendingTable<Req> t = new PendingTable<>(64);
        int n = 200_000;
        AtomicLong ids = new AtomicLong();
        ConcurrentLinkedQueue<Long> sent = new ConcurrentLinkedQueue<>();
        AtomicLong removed = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        AtomicBoolean done = new AtomicBoolean();
        Runnable replier = () -> {
            try {
                start.await();
            } catch (InterruptedException e) {
                return;
            }
            while (true) {
                boolean last = done.get();
                Long id = sent.poll();
                if (id == null) {
                    if (last) {
                        return;
                    }
                    Thread.onSpinWait();
                    continue;
                }
                if (t.remove(id) != null) {
                    removed.incrementAndGet();
                }
            }
        };
        Thread a = Thread.ofPlatform().start(replier);
        Thread b = Thread.ofPlatform().start(replier);
        start.countDown();
        for (int i = 0; i < n; i++) {
            long id = ids.incrementAndGet();
            t.add(new Req(id));
            sent.add(id);
            sent.add(id); // both repliers race for every id
        }
        done.set(true);
        a.join();
        b.join();
        assertEquals(n, removed.get());
        assertEquals(0, t.size());
    }

    @Test
    void theSlotCountMustBeAPowerOfTwo() {
        assertThrows(IllegalArgumentException.class, () -> new PendingTable<Req>(1000));
        assertThrows(IllegalArgumentException.class, () -> new PendingTable<Req>(0));
    }
}
