package io.longhorn.engine.controller;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
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
}
