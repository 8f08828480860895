package io.longhorn.engine.rebuild;

import java.util.List;

/** Picks the replica a rebuild copies from. */
public final class SourceChooser {

    private SourceChooser() {
    }

    /** A replica that might serve as a source. */
    public record Candidate(String address, boolean rw, long generation) {
    }

    /**
     * The first RW replica, in the volume's order, with the highest generation among the RW ones
     * and other than {@code target}; null when there is none. Only RW replicas hold every
     * acknowledged write, and one with a lower generation might be about to be found stale.
     */
    public static String choose(List<Candidate> candidates, String target) {
        long best = Long.MIN_VALUE;
        for (Candidate c : candidates) {
            if (c.rw() && !c.address().equals(target)) {
                best = Math.max(best, c.generation());
            }
        }
        for (Candidate c : candidates) {
            if (c.rw() && !c.address().equals(target) && c.generation() == best) {
                return c.address();
            }
        }
        return null;
    }
}
