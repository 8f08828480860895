package io.longhorn.engine.controller;

import io.longhorn.engine.backend.ReplicaControlException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/** Runs one blocking control call on several replicas at once and collects every outcome. */
final class ParallelCalls {

    private ParallelCalls() {
    }

    /** The outcome for one member: a value or an error. */
    record Outcome<T>(Member member, T value, RuntimeException error) {
        boolean ok() {
            return error == null;
        }
    }

    static <T> List<Outcome<T>> run(List<Member> members, Function<Member, T> call, Executor executor) {
        List<CompletableFuture<Outcome<T>>> futures = new ArrayList<>();
        for (Member m : members) {
            futures.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return new Outcome<>(m, call.apply(m), null);
                } catch (RuntimeException e) {
                    return new Outcome<>(m, null, e);
                }
            }, executor));
        }
        List<Outcome<T>> out = new ArrayList<>();
        for (CompletableFuture<Outcome<T>> f : futures) {
            out.add(f.join());
        }
        return out;
    }

    /**
     * Like {@link #run}, but waits at most {@code deadline} in all: a member that has not answered
     * by then gets an UNAVAILABLE error (its call goes on in the background; its answer is ignored).
     * For calls made while client I/O is paused.
     *
     * @param what names the call in that error, e.g. "create snapshot s1"
     */
    static <T> List<Outcome<T>> run(List<Member> members, Function<Member, T> call, Executor executor, Duration deadline,
                                    String what) {
        List<CompletableFuture<Outcome<T>>> futures = new ArrayList<>();
        for (Member m : members) {
            futures.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return new Outcome<>(m, call.apply(m), null);
                } catch (RuntimeException e) {
                    return new Outcome<>(m, null, e);
                }
            }, executor));
        }
        long end = System.nanoTime() + deadline.toNanos();
        List<Outcome<T>> out = new ArrayList<>();
        for (int i = 0; i < futures.size(); i++) {
            Member m = members.get(i);
            try {
                out.add(futures.get(i).get(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (TimeoutException e) {
                out.add(new Outcome<>(m, null, new ReplicaControlException(m.address(),
                        ReplicaControlException.Reason.UNAVAILABLE, "failed to " + what + " on replica " + m.address()
                        + ": no answer within " + deadline.toMillis() + " ms while client I/O was paused", null)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                out.add(new Outcome<>(m, null, new IllegalStateException("interrupted waiting for " + what, e)));
            } catch (ExecutionException e) {
                out.add(new Outcome<>(m, null, new IllegalStateException(e.getCause())));
            }
        }
        return out;
    }
}
