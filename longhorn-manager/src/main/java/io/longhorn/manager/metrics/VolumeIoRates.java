package io.longhorn.manager.metrics;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest I/O rates of each volume whose engine runs, computed from the counters the engine
 * monitor reads at every poll. A rate covers at least {@link #MIN_INTERVAL} of the engine's clock:
 * polls that come sooner (a reconcile triggered by a change) keep the previous rates and the
 * earlier reading as the start of the next interval, so that a few milliseconds between two
 * readings do not turn into wild rates. In memory only: after a manager restart the rates are 0
 * until two readings were taken.
 */
public final class VolumeIoRates {
    public static final Duration MIN_INTERVAL = Duration.ofSeconds(1);

    private record Entry(IoSample start, IoRates rates) {
    }

    private final Map<String, Entry> volumes = new ConcurrentHashMap<>();
    private final Map<String, Long> authRefusals = new ConcurrentHashMap<>();
    private final Map<String, Long> replicaRefusals = new ConcurrentHashMap<>();
    private volatile long backupServiceRefusals;

    /**
     * Records how many control calls {@code volume}'s engine refused since it started for not
     * proving the volume's secret (read with the I/O counters, at the same polls).
     */
    public void recordAuthRefusals(String volume, long refusals) {
        authRefusals.put(volume, refusals);
    }

    /**
     * The refusals of the volume's engine (control calls) and of its replicas on this node (data
     * connections and control calls) since each started, as last read; 0 when unknown.
     */
    public long authRefusals(String volume) {
        return authRefusals.getOrDefault(volume, 0L) + replicaRefusals.getOrDefault(volume, 0L);
    }

    /** Records the backup service's count of refused calls (read at each backup target poll). */
    public void recordBackupServiceAuthRefusals(long refusals) {
        backupServiceRefusals = refusals;
    }

    /** The backup service's refused calls since it started, as last read; 0 when unknown. */
    public long backupServiceAuthRefusals() {
        return backupServiceRefusals;
    }

    /** Replaces the refusal counts of the replicas on this node, summed per volume (one reading of them all). */
    public void recordReplicaAuthRefusals(Map<String, Long> byVolume) {
        replicaRefusals.keySet().retainAll(byVolume.keySet());
        replicaRefusals.putAll(byVolume);
    }

    /** Adds a reading of the counters of {@code volume}'s engine. */
    public void record(String volume, IoSample sample) {
        volumes.compute(volume, (v, e) -> {
            if (e == null || !sample.continues(e.start)) {
                return new Entry(sample, IoRates.ZERO);
            }
            if (sample.uptimeNanos() - e.start.uptimeNanos() < MIN_INTERVAL.toNanos()) {
                return e;
            }
            return new Entry(sample, IoRates.between(e.start, sample).orElse(IoRates.ZERO));
        });
    }

    /** The volume's engine stopped or does not answer: its rates are 0 until two new readings. */
    public void forget(String volume) {
        volumes.remove(volume);
        authRefusals.remove(volume);
    }

    /** The latest rates, {@link IoRates#ZERO} for a volume without them. */
    public IoRates of(String volume) {
        Entry e = volumes.get(volume);
        return e == null ? IoRates.ZERO : e.rates;
    }

    /** The reading the next rates of {@code volume} will start from, or null; for tests and diagnostics. */
    public IoSample start(String volume) {
        Entry e = volumes.get(volume);
        return e == null ? null : e.start;
    }
}
