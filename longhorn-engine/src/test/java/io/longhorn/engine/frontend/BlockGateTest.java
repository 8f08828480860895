package io.longhorn.engine.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class BlockGateTest {

    private final BlockGate gate = new BlockGate();

    @Test
    void exclusiveClaimsOnOneBlockAreGrantedOneAfterAnotherInArrivalOrder() {
        CompletableFuture<BlockGate.Claim> a = gate.exclusive(3);
        CompletableFuture<BlockGate.Claim> b = gate.exclusive(3);
        CompletableFuture<BlockGate.Claim> c = gate.exclusive(3);
        CompletableFuture<BlockGate.Claim> other = gate.exclusive(4);
        assertTrue(a.isDone());
        assertTrue(other.isDone(), "another block is independent");
        assertFalse(b.isDone());
        gate.release(a.join());
        assertTrue(b.isDone());
        assertFalse(c.isDone());
        gate.release(b.join());
        gate.release(c.join());
        gate.release(other.join());
        assertEquals(0, gate.size());
    }

    @Test
    void sharedClaimsOverlapFreelyButWaitForAnExclusiveClaimInTheirRange() {
        CompletableFuture<BlockGate.Claim> s1 = gate.shared(0, 10);
        CompletableFuture<BlockGate.Claim> s2 = gate.shared(5, 15);
        assertTrue(s1.isDone() && s2.isDone());
        CompletableFuture<BlockGate.Claim> x = gate.exclusive(7);
        assertFalse(x.isDone(), "a read-modify-write waits for whole-block writes already on its block");
        CompletableFuture<BlockGate.Claim> s3 = gate.shared(7, 8);
        CompletableFuture<BlockGate.Claim> s4 = gate.shared(20, 30);
        assertFalse(s3.isDone(), "new whole-block writes wait behind the queued read-modify-write");
        assertTrue(s4.isDone(), "whole-block writes elsewhere do not wait");
        gate.release(s1.join());
        assertFalse(x.isDone());
        gate.release(s2.join());
        assertTrue(x.isDone());
        assertFalse(s3.isDone());
        gate.release(x.join());
        assertTrue(s3.isDone());
        gate.release(s3.join());
        gate.release(s4.join());
        assertEquals(0, gate.size());
    }
}
