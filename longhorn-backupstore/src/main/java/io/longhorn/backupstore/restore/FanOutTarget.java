package io.longhorn.backupstore.restore;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Writes to every replica of a volume at once; a write completes when all have it. */
public final class FanOutTarget implements RestoreTarget {
    private final List<RestoreTarget> targets;

    public FanOutTarget(List<RestoreTarget> targets) {
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("no restore targets");
        }
        this.targets = List.copyOf(targets);
    }

    @Override
    public String describe() {
        return targets.size() == 1 ? targets.getFirst().describe()
                : targets.stream().map(RestoreTarget::describe).collect(Collectors.joining(", ", "[", "]"));
    }

    @Override
    public long size() {
        return targets.stream().mapToLong(RestoreTarget::size).min().orElse(0);
    }

    @Override
    public boolean isEmpty() {
        return targets.stream().allMatch(RestoreTarget::isEmpty);
    }

    private CompletableFuture<Void> all(Function<RestoreTarget, CompletableFuture<Void>> op) {
        return CompletableFuture.allOf(targets.stream().map(op).toArray(CompletableFuture[]::new));
    }

    @Override
    public CompletableFuture<Void> write(long offset, byte[] data, int length) {
        return all(t -> t.write(offset, data, length));
    }

    @Override
    public CompletableFuture<Void> writeZeros(long offset, int length) {
        return all(t -> t.writeZeros(offset, length));
    }

    @Override
    public CompletableFuture<Void> flush() {
        return all(RestoreTarget::flush);
    }

    @Override
    public void markFailed(String reason) {
        targets.forEach(t -> t.markFailed(reason));
    }

    @Override
    public String failure() {
        for (RestoreTarget t : targets) {
            String f = t.failure();
            if (f != null) {
                return t.describe() + ": " + f;
            }
        }
        return null;
    }

    @Override
    public void clearFailure() {
        targets.forEach(RestoreTarget::clearFailure);
    }

    @Override
    public void close() {
        targets.forEach(RestoreTarget::close);
    }
}
