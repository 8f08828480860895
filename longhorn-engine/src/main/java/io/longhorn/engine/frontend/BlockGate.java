package io.longhorn.engine.frontend;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Asynchronous locks on 4 KiB blocks, for read-modify-write of partial blocks.
 *
 * <p>A read-modify-write (RMW) of a block takes an <em>exclusive</em> claim on that one block: two
 * partial writes to the same block are serialized, so neither overwrites the other with the stale
 * copy it read. A write that covers whole blocks takes a <em>shared</em> claim on its block range:
 * shared claims never wait for each other (overlapping whole-block writes are the client's business)
 * and wait only when an RMW holds or awaits one of their blocks; an RMW waits for shared claims
 * already active on its block, because otherwise it could read the block before such a write lands
 * and write the old bytes back after it.
 *
 * <p>Nothing waits while holding a claim that another waiter needs: shared claims are granted whole
 * or not at all, and each RMW holds one exclusive claim. So there is no deadlock. A stream of RMWs on
 * one block can make a whole-block write to that block wait for a long time (RMWs go first); clients
 * do not do that in practice.
 *
 * <p>All bookkeeping happens under one mutex held for a few hundred nanoseconds; futures are
 * completed outside it, so callbacks never run under the mutex.
 */
final class BlockGate {

    /** A granted or pending claim; pass it back to {@link #release}. */
    static final class Claim {
        private final long first;
        private final long end;
        private final boolean exclusive;
        private final CompletableFuture<Claim> granted = new CompletableFuture<>();
        private boolean active;

        private Claim(long first, long end, boolean exclusive) {
            this.first = first;
            this.end = end;
            this.exclusive = exclusive;
        }

        CompletableFuture<Claim> granted() {
            return granted;
        }

        private boolean covers(long block) {
            return block >= first && block < end;
        }
    }

    private final Object mutex = new Object();
    private final Set<Claim> activeShared = new HashSet<>();
    private final List<Claim> waitingShared = new ArrayList<>();
    /** Per block, the RMW claims in arrival order; the head is active once nothing shared overlaps. */
    private final Map<Long, ArrayDeque<Claim>> exclusive = new HashMap<>();

    /** Claims blocks [first, end) for a whole-block write. */
    CompletableFuture<Claim> shared(long first, long end) {
        Claim claim = new Claim(first, end, false);
        synchronized (mutex) {
            if (exclusiveWithin(first, end)) {
                waitingShared.add(claim);
                return claim.granted;
            }
            claim.active = true;
            activeShared.add(claim);
        }
        claim.granted.complete(claim);
        return claim.granted;
    }

    /** Claims one block for a read-modify-write. */
    CompletableFuture<Claim> exclusive(long block) {
        Claim claim = new Claim(block, block + 1, true);
        boolean grant;
        synchronized (mutex) {
            ArrayDeque<Claim> queue = exclusive.computeIfAbsent(block, b -> new ArrayDeque<>(2));
            queue.addLast(claim);
            grant = queue.size() == 1 && !sharedOver(block);
            claim.active = grant;
        }
        if (grant) {
            claim.granted.complete(claim);
        }
        return claim.granted;
    }

    void release(Claim claim) {
        List<Claim> toGrant = new ArrayList<>(0);
        synchronized (mutex) {
            if (!claim.active) {
                throw new IllegalStateException("releasing a claim that was never granted");
            }
            claim.active = false;
            if (claim.exclusive) {
                releaseExclusive(claim, toGrant);
            } else {
                activeShared.remove(claim);
                grantExclusiveHeads(claim, toGrant);
            }
        }
        for (Claim c : toGrant) {
            c.granted.complete(c);
        }
    }

    /** Number of claims held or awaited; for tests. */
    int size() {
        synchronized (mutex) {
            int n = activeShared.size() + waitingShared.size();
            for (ArrayDeque<Claim> q : exclusive.values()) {
                n += q.size();
            }
            return n;
        }
    }

    private void releaseExclusive(Claim claim, List<Claim> toGrant) {
        ArrayDeque<Claim> queue = exclusive.get(claim.first);
        queue.removeFirst();
        Claim next = queue.peekFirst();
        if (next != null) {
            // The released claim held the block, so no shared claim can have become active over it.
            next.active = true;
            toGrant.add(next);
            return;
        }
        exclusive.remove(claim.first);
        for (Iterator<Claim> it = waitingShared.iterator(); it.hasNext(); ) {
            Claim waiting = it.next();
            if (waiting.covers(claim.first) && !exclusiveWithin(waiting.first, waiting.end)) {
                it.remove();
                waiting.active = true;
                activeShared.add(waiting);
                toGrant.add(waiting);
            }
        }
    }

    private void grantExclusiveHeads(Claim released, List<Claim> toGrant) {
        if (exclusive.isEmpty()) {
            return;
        }
        for (Map.Entry<Long, ArrayDeque<Claim>> e : exclusive.entrySet()) {
            long block = e.getKey();
            Claim head = e.getValue().peekFirst();
            if (!head.active && released.covers(block) && !sharedOver(block)) {
                head.active = true;
                toGrant.add(head);
            }
        }
    }

    private boolean exclusiveWithin(long first, long end) {
        if (exclusive.isEmpty()) {
            return false;
        }
        if (end - first <= exclusive.size()) {
            for (long b = first; b < end; b++) {
                if (exclusive.containsKey(b)) {
                    return true;
                }
            }
            return false;
        }
        for (long b : exclusive.keySet()) {
            if (b >= first && b < end) {
                return true;
            }
        }
        return false;
    }

    private boolean sharedOver(long block) {
        for (Claim c : activeShared) {
            if (c.covers(block)) {
                return true;
            }
        }
        return false;
    }
}
