package io.longhorn.manager.integrity;

import io.longhorn.api.replica.RangeChecksum;
import io.longhorn.api.replica.SnapshotChecksum;
import io.longhorn.manager.client.ReplicaClients;
import io.longhorn.manager.client.ServiceCallException;
import io.longhorn.manager.controller.ControllerContext;
import io.longhorn.manager.model.Engine;
import io.longhorn.manager.model.InstanceState;
import io.longhorn.manager.model.Longhorn;
import io.longhorn.manager.model.Replica;
import io.longhorn.manager.model.Volume;
import io.longhorn.manager.settings.SettingNames;
import io.longhorn.manager.store.Resources;
import io.longhorn.manager.store.Retry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * One run of the snapshot data integrity check over every volume whose engine runs with at least
 * two RW replicas (the setting {@code snapshot-data-integrity}: {@code disabled} does nothing,
 * {@code enabled} re-hashes every snapshot file, {@code fast-check} only files whose ctime, mtime or
 * size changed since they were hashed). A replica judged bad by {@link ChecksumVerdict} is dropped
 * from its engine and marked failed, which makes the volume controller replace and rebuild it; the
 * event names the replica, the file and the byte ranges that differ.
 */
public final class SnapshotIntegrityCheck {
    private static final Logger LOG = Logger.getLogger(SnapshotIntegrityCheck.class);
    private static final int SMALL_CHUNK = 64 << 10;
    private static final int LARGE_CHUNK = 2 << 20;

    private final ControllerContext ctx;
    private final ReplicaClients replicas;

    public SnapshotIntegrityCheck(ControllerContext ctx, ReplicaClients replicas) {
        this.ctx = ctx;
        this.replicas = replicas;
    }

    /** Checks every volume (the cron schedule calls this). */
    public void runAll() {
        String mode = ctx.settings().get(SettingNames.SNAPSHOT_DATA_INTEGRITY);
        if ("disabled".equals(mode)) {
            return;
        }
        for (Volume v : ctx.store().list(Volume.class)) {
            try {
                check(Resources.name(v), mode);
            } catch (RuntimeException e) {
                LOG.warnf("snapshot integrity check of volume %s failed: %s", Resources.name(v), e.getMessage());
            }
        }
    }

    /** Checks one volume with the given mode; returns the verdict (empty when nothing could be compared). */
    public ChecksumVerdict.Result check(String volume, String mode) {
        Engine engine = ctx.store().list(Engine.class, Map.of(Longhorn.LABEL_VOLUME, volume)).stream()
                .findFirst().orElse(null);
        ChecksumVerdict.Result none = new ChecksumVerdict.Result(List.of(), List.of());
        if (engine == null || !InstanceState.RUNNING.equals(engine.getStatus().currentState)) {
            return none;
        }
        Map<String, Replica> rw = new LinkedHashMap<>();
        for (var e : engine.getStatus().replicaModeMap.entrySet()) {
            if (!"RW".equals(e.getValue())) {
                continue;
            }
            ctx.store().get(Replica.class, e.getKey())
                    .filter(r -> r.getStatus().port > 0 && r.getSpec().failedAt.isEmpty())
                    .ifPresent(r -> rw.put(e.getKey(), r));
        }
        if (rw.size() < 2) {
            return none;
        }
        Map<String, List<SnapshotChecksum>> sums = new ConcurrentHashMap<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (var e : rw.entrySet()) {
                pool.submit(() -> {
                    try {
                        sums.put(e.getKey(), replicas.forReplica(control(e.getValue())).snapshotChecksums(mode));
                    } catch (ServiceCallException ex) {
                        LOG.warnf("volume %s: replica %s gave no snapshot checksums: %s", volume, e.getKey(),
                                ex.getMessage());
                    }
                });
            }
        }
        Map<String, List<ChecksumVerdict.FileSum>> byReplica = new LinkedHashMap<>();
        for (String r : rw.keySet()) {
            if (sums.containsKey(r)) {
                byReplica.put(r, sums.get(r).stream().map(s -> new ChecksumVerdict.FileSum(s.getFile(),
                        s.getChecksum(), s.getSize(), s.getSilentlyCorrupted())).toList());
            }
        }
        ChecksumVerdict.Result verdict = ChecksumVerdict.judge(byReplica);
        for (ChecksumVerdict.Undecided u : verdict.undecided()) {
            ctx.events().warning("Volume", volume, "SnapshotChecksumMismatch", "snapshot file " + u.file()
                    + " of volume " + volume + " differs between replicas with no majority to trust ("
                    + u.replicasByChecksum().entrySet().stream().map(g -> shortSum(g.getKey()) + ": " + g.getValue())
                    .collect(Collectors.joining("; ")) + "); no replica is failed");
        }
        for (ChecksumVerdict.Bad b : verdict.bad()) {
            fail(volume, engine, rw, b);
        }
        return verdict;
    }

    private void fail(String volume, Engine engine, Map<String, Replica> rw, ChecksumVerdict.Bad b) {
        String where = ranges(rw.get(b.replica()), rw.get(b.goodReplica()), b);
        ctx.events().warning("Volume", volume, "SnapshotCorrupted", "replica " + b.replica() + " of volume "
                + volume + ": snapshot file " + b.file() + " differs from replica " + b.goodReplica() + where
                + " (checksum " + shortSum(b.checksum()) + ", expected " + shortSum(b.expected()) + ")"
                + (b.silentlyCorrupted() ? ", changed without a write" : "")
                + "; the replica is marked failed and will be rebuilt");
        // Failed first, so that the volume controller never adds it back; then out of the engine at once
        // rather than when its stopped process stops answering.
        Retry.update(ctx.store(), Replica.class, b.replica(), r -> {
            if (!r.getSpec().failedAt.isEmpty()) {
                return false;
            }
            r.getSpec().failedAt = ctx.now();
            r.getSpec().lastFailedAt = r.getSpec().failedAt;
            r.getSpec().desireState = InstanceState.STOPPED;
            return true;
        });
        String address = engine.getStatus().currentReplicaAddressMap.get(b.replica());
        if (address != null) {
            try {
                ctx.engines().forAddress(engine.getStatus().ip + ":" + engine.getStatus().port).replicaRemove(address);
            } catch (ServiceCallException e) {
                LOG.warnf("volume %s: could not drop replica %s from the engine: %s", volume, b.replica(),
                        e.getMessage());
            }
        }
        ctx.events().warning("Volume", volume, "ReplicaFailed", "replica " + b.replica() + " of volume " + volume
                + " failed: its snapshot " + b.file() + " does not match the other replicas");
    }

    /** ", in bytes [a, b), [c, d)" from the range checksums of both copies, or "" when they cannot be read. */
    private String ranges(Replica bad, Replica good, ChecksumVerdict.Bad b) {
        if (bad == null || good == null || b.size() <= 0) {
            return "";
        }
        int chunk = b.size() <= (2L << 30) ? SMALL_CHUNK : LARGE_CHUNK;
        try {
            List<RangeChecksum> x = replicas.forReplica(control(bad)).rangeChecksums(b.file(), b.size(), chunk);
            List<RangeChecksum> y = replicas.forReplica(control(good)).rangeChecksums(b.file(), b.size(), chunk);
            List<long[]> diff = ChecksumVerdict.differingRanges(
                    x.stream().map(r -> new long[] {r.getOffset(), r.getLength()}).toList(),
                    x.stream().map(RangeChecksum::getChecksum).toList(),
                    y.stream().map(RangeChecksum::getChecksum).toList());
            if (diff.isEmpty()) {
                return "";
            }
            List<String> parts = new ArrayList<>();
            for (long[] d : diff.subList(0, Math.min(8, diff.size()))) {
                parts.add(String.format(Locale.ROOT, "[%d, %d)", d[0], d[0] + d[1]));
            }
            return " in bytes " + String.join(", ", parts) + (diff.size() > 8 ? " and " + (diff.size() - 8) + " more" : "");
        } catch (ServiceCallException e) {
            return "";
        }
    }

    private static String control(Replica r) {
        return r.getStatus().ip + ":" + r.getStatus().port;
    }

    private static String shortSum(String sum) {
        return sum.length() > 16 ? sum.substring(0, 16) : sum;
    }
}
