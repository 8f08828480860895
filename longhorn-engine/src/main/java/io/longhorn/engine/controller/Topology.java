package io.longhorn.engine.controller;

import java.util.concurrent.CompletableFuture;

/**
 * Who receives I/O right now: an immutable snapshot the data path reads with one volatile load.
 * Every change of membership publishes a new one.
 *
 * @param writers    RW and WO members: every write, zeroing, trim and flush goes to all of them
 * @param readers    RW members: reads go to one of them
 * @param generation the generation of this membership
 * @param sealed     completes once {@code generation} is durable on every reader that is still RW.
 *                   A write that some former member missed may be acknowledged only after the
 *                   topology that excludes that member is sealed (see {@link StartupRule}).
 */
record Topology(Member[] writers, Member[] readers, long generation, CompletableFuture<Void> sealed) {

    boolean hasReaders() {
        return readers.length > 0;
    }
}
