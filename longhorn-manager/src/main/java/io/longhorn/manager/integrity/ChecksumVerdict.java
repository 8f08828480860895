package io.longhorn.manager.integrity;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Decides, from each replica's snapshot checksums, which replicas hold a snapshot that no longer
 * matches. Pure.
 *
 * <p>Rules, per snapshot file present on every replica that answered: (1) a replica that found its
 * own file changed under an unchanged ctime, mtime and size (silently corrupted) is bad, when
 * another replica's copy is not; (2) otherwise, when one checksum is held by a strict majority of
 * the replicas, every replica with another checksum is bad; (3) with no majority (two replicas
 * that disagree, or three all different) nothing is decided: the disagreement is reported and no
 * replica is failed, since failing the wrong one would lose the good copy. A decision never condemns
 * every replica. A file missing on some replica (a snapshot being created or removed meanwhile) is
 * left for the next check.
 */
public final class ChecksumVerdict {
    private ChecksumVerdict() {
    }

    /** One snapshot file's checksum on one replica. */
    public record FileSum(String file, String checksum, long size, boolean silentlyCorrupted) {
    }

    /** A replica whose copy of {@code file} differs: it has {@code checksum}, the others {@code expected}. */
    public record Bad(String replica, String file, String checksum, String expected, String goodReplica,
                      boolean silentlyCorrupted, long size) {
    }

    /** A file whose copies differ without a majority: checksum to the replicas holding it. */
    public record Undecided(String file, Map<String, List<String>> replicasByChecksum) {
    }

    public record Result(List<Bad> bad, List<Undecided> undecided) {
    }

    public static Result judge(Map<String, List<FileSum>> byReplica) {
        List<Bad> bad = new ArrayList<>();
        List<Undecided> undecided = new ArrayList<>();
        if (byReplica.size() < 2) {
            return new Result(bad, undecided);
        }
        Map<String, Map<String, FileSum>> index = new LinkedHashMap<>();
        Set<String> files = new TreeSet<>();
        for (var e : byReplica.entrySet()) {
            Map<String, FileSum> m = new HashMap<>();
            for (FileSum s : e.getValue()) {
                m.put(s.file(), s);
                files.add(s.file());
            }
            index.put(e.getKey(), m);
        }
        Set<String> condemned = new TreeSet<>();
        for (String file : files) {
            if (index.values().stream().anyMatch(m -> !m.containsKey(file))) {
                continue;
            }
            Map<String, List<String>> groups = new LinkedHashMap<>();
            for (var e : index.entrySet()) {
                groups.computeIfAbsent(e.getValue().get(file).checksum(), k -> new ArrayList<>()).add(e.getKey());
            }
            List<String> silent = index.entrySet().stream()
                    .filter(e -> e.getValue().get(file).silentlyCorrupted()).map(Map.Entry::getKey).toList();
            List<String> sound = index.keySet().stream().filter(r -> !silent.contains(r)).toList();
            if (groups.size() == 1 && silent.isEmpty()) {
                continue;
            }
            String majority = groups.entrySet().stream()
                    .filter(g -> g.getValue().size() * 2 > index.size()).map(Map.Entry::getKey).findFirst().orElse(null);
            List<Bad> found = new ArrayList<>();
            if (!silent.isEmpty() && !sound.isEmpty()) {
                String good = majority != null && !silent.containsAll(groups.get(majority))
                        ? groups.get(majority).stream().filter(sound::contains).findFirst().orElseThrow()
                        : sound.getFirst();
                String expected = index.get(good).get(file).checksum();
                for (String r : silent) {
                    found.add(bad(r, index.get(r).get(file), expected, good));
                }
                if (majority == null || !majority.equals(expected)) {
                    // The sound replicas disagree among themselves as well: only the self-reported ones go.
                    groups = Map.of();
                }
            }
            if (majority != null && !groups.isEmpty()) {
                String good = groups.get(majority).getFirst();
                for (var g : groups.entrySet()) {
                    if (!g.getKey().equals(majority)) {
                        for (String r : g.getValue()) {
                            if (found.stream().noneMatch(b -> b.replica().equals(r))) {
                                found.add(bad(r, index.get(r).get(file), majority, good));
                            }
                        }
                    }
                }
            } else if (found.isEmpty() && groups.size() > 1) {
                undecided.add(new Undecided(file, groups));
            }
            for (Bad b : found) {
                if (!condemned.contains(b.replica())) {
                    bad.add(b);
                }
            }
            found.forEach(b -> condemned.add(b.replica()));
        }
        if (condemned.size() >= index.size()) {
            // Never every replica: report instead.
            for (Bad b : bad) {
                undecided.add(new Undecided(b.file(), Map.of(b.checksum(), List.of(b.replica()))));
            }
            bad.clear();
        }
        return new Result(bad, undecided);
    }

    private static Bad bad(String replica, FileSum s, String expected, String good) {
        return new Bad(replica, s.file(), s.checksum(), expected, good, s.silentlyCorrupted(), s.size());
    }

    /** The byte ranges where two lists of range checksums (same offsets) differ, merged. */
    public static List<long[]> differingRanges(List<long[]> offsetsAndLengths, List<String> a, List<String> b) {
        List<long[]> out = new ArrayList<>();
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            if (a.get(i).equals(b.get(i))) {
                continue;
            }
            long[] r = offsetsAndLengths.get(i);
            if (!out.isEmpty() && out.getLast()[0] + out.getLast()[1] == r[0]) {
                out.getLast()[1] += r[1];
            } else {
                out.add(new long[] {r[0], r[1]});
            }
        }
        return out;
    }
}
