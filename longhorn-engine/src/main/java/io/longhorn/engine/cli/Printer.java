package io.longhorn.engine.cli;

import io.longhorn.api.engine.IoCounters;
import io.longhorn.api.engine.IoStats;
import io.longhorn.api.engine.Rebuild;
import io.longhorn.api.engine.RebuildStatusResponse;
import io.longhorn.api.engine.Replica;
import io.longhorn.api.engine.Snapshot;
import io.longhorn.api.engine.SnapshotListResponse;
import io.longhorn.api.engine.Volume;
import io.longhorn.api.types.Sizes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Renders control API answers as text for people (aligned columns). */
final class Printer {

    private Printer() {
    }

    static String volume(Volume v) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-11s %s%n", "volume", v.getName()));
        b.append(String.format(Locale.ROOT, "%-11s %d (%s)%n", "size", v.getSize(), Sizes.format(v.getSize())));
        b.append(String.format(Locale.ROOT, "%-11s %s%n", "state", v.getState()));
        b.append(String.format(Locale.ROOT, "%-11s %s %s%n", "frontend", v.getFrontend(),
                v.getFrontendRunning() ? v.getEndpoint() : "(stopped)"));
        b.append(String.format(Locale.ROOT, "%-11s %d%n", "generation", v.getGeneration()));
        b.append(String.format(Locale.ROOT, "%-11s %s%n", "rebuilding", v.getRebuilding() ? "yes" : "no"));
        b.append(replicas(v.getReplicasList()));
        b.append(io(v.getIoStats()));
        return b.toString();
    }

    /** Client I/O per operation since the engine started. */
    static String io(IoStats s) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"I/O", "REQUESTS", "BYTES", "ERRORS", "MEAN LATENCY"});
        rows.add(ioRow("read", s.getRead()));
        rows.add(ioRow("write", s.getWrite()));
        rows.add(ioRow("flush", s.getFlush()));
        rows.add(ioRow("trim", s.getTrim()));
        rows.add(ioRow("write-zeroes", s.getWriteZeroes()));
        return table(rows);
    }

    private static String[] ioRow(String op, IoCounters c) {
        String mean = c.getCount() == 0 ? "-"
                : String.format(Locale.ROOT, "%.1fus", c.getLatencyNanos() / 1000.0 / c.getCount());
        return new String[] {op, Long.toString(c.getCount()), Sizes.format(c.getBytes()), Long.toString(c.getErrors()),
                mean};
    }

    static String replicas(List<Replica> replicas) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ADDRESS", "MODE", "DATA", "GENERATION", "ERROR"});
        for (Replica r : replicas) {
            rows.add(new String[] {r.getAddress(), r.getMode().name(), r.getDataAddress(),
                    Long.toString(r.getGeneration()), r.getError()});
        }
        return table(rows);
    }

    static String snapshots(SnapshotListResponse l) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "PARENT", "CREATED", "SIZE", "USER", "REMOVED", "LABELS"});
        for (Snapshot s : l.getSnapshotsList()) {
            rows.add(new String[] {s.getName(), s.getParent(), s.getCreated(), Sizes.format(s.getActualSize()),
                    s.getUserCreated() ? "yes" : "no", s.getRemoved() ? "yes" : "no", labels(s.getLabelsMap())});
        }
        return table(rows) + "head is based on: " + (l.getHeadParent().isEmpty() ? "(nothing)" : l.getHeadParent())
                + System.lineSeparator();
    }

    static String rebuilds(RebuildStatusResponse r) {
        if (r.getRebuildsCount() == 0) {
            return "no rebuild has run" + System.lineSeparator();
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"REPLICA", "STATE", "PERCENT", "DONE", "TOTAL", "COPIED", "SOURCE", "DETAIL"});
        for (Rebuild b : r.getRebuildsList()) {
            rows.add(new String[] {b.getAddress(), b.getState().name(), b.getPercent() + "%", Sizes.format(b.getBytesDone()),
                    Sizes.format(b.getBytesTotal()), Sizes.format(b.getBytesCopied()), b.getSource(),
                    b.getError().isEmpty() ? b.getCurrentFile() : b.getError()});
        }
        return table(rows);
    }

    static String progress(Rebuild b) {
        return String.format(Locale.ROOT, "rebuild of %s: %s %d%% (%s of %s examined, %s copied)%s", b.getAddress(),
                b.getState().name(), b.getPercent(), Sizes.format(b.getBytesDone()), Sizes.format(b.getBytesTotal()),
                Sizes.format(b.getBytesCopied()), b.getError().isEmpty() ? "" : ": " + b.getError());
    }

    private static String labels(Map<String, String> labels) {
        StringBuilder b = new StringBuilder();
        new TreeMap<>(labels).forEach((k, v) -> b.append(b.isEmpty() ? "" : ",").append(k).append('=').append(v));
        return b.toString();
    }

    /** Columns padded to their widest cell; the last column is not padded. */
    static String table(List<String[]> rows) {
        int cols = rows.getFirst().length;
        int[] width = new int[cols];
        for (String[] r : rows) {
            for (int i = 0; i < cols; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder b = new StringBuilder();
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < cols; i++) {
                line.append(i == cols - 1 ? r[i] : String.format(Locale.ROOT, "%-" + width[i] + "s  ", r[i]));
            }
            b.append(line.toString().stripTrailing()).append(System.lineSeparator());
        }
        return b.toString();
    }
}
