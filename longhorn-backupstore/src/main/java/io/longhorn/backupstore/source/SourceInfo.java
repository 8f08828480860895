package io.longhorn.backupstore.source;

import io.longhorn.backupstore.error.InvalidInputException;
import io.longhorn.backupstore.error.NotFoundException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a source holds.
 *
 * @param description names the source in messages, e.g. {@code replica 10.0.0.3:9502}
 * @param size        volume size in bytes
 * @param snapshots   every snapshot and the head
 * @param volumeHint  the volume name if the source knows it, else null
 */
public record SourceInfo(String description, long size, List<SourceSnapshot> snapshots, String volumeHint) {

    /**
     * The layers whose overlay is the content of {@code snapshot}: its oldest ancestor first, the
     * snapshot itself last.
     *
     * @throws NotFoundException     when the snapshot is not on the source
     * @throws InvalidInputException when it is the head or marked removed
     */
    public List<SourceSnapshot> chain(String snapshot) {
        Map<String, SourceSnapshot> byName = new HashMap<>();
        for (SourceSnapshot s : snapshots) {
            byName.put(s.name(), s);
        }
        SourceSnapshot s = byName.get(snapshot);
        if (s == null || s.head()) {
            List<String> names = snapshots.stream().filter(x -> !x.head()).map(SourceSnapshot::name).sorted().toList();
            if (s != null) {
                throw new InvalidInputException("cannot back up the head of " + description + ": take a snapshot first");
            }
            throw new NotFoundException("snapshot " + snapshot + " not found on " + description + " (it has "
                    + (names.isEmpty() ? "no snapshots" : String.join(", ", names)) + ")");
        }
        if (s.removed()) {
            throw new InvalidInputException("snapshot " + snapshot + " on " + description + " is marked removed");
        }
        List<SourceSnapshot> chain = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        while (s != null) {
            if (!seen.add(s.name())) {
                throw new InvalidInputException("the snapshot chain of " + description + " has a loop at " + s.name());
            }
            chain.add(s);
            if (s.parent() == null || s.parent().isEmpty()) {
                break;
            }
            SourceSnapshot parent = byName.get(s.parent());
            if (parent == null) {
                throw new NotFoundException("snapshot " + s.parent() + ", parent of " + s.name() + ", not found on "
                        + description);
            }
            s = parent;
        }
        Collections.reverse(chain);
        return chain;
    }
}
