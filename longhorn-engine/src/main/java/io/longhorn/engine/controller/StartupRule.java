package io.longhorn.engine.controller;

import io.longhorn.api.replica.ReplicaInfo;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides, when an engine starts over a set of replicas, which of them may serve. Pure: it sees
 * only what the replicas reported.
 *
 * <p>The rule, built on the generation the engine records on replicas (see {@link ReplicaSet}):
 * <ol>
 *   <li>A replica that is unreachable, reports an error, or is marked rebuilding (its rebuild did
 *       not finish) is ERR.</li>
 *   <li>Of the others, only those with the highest generation may be RW; a lower generation means
 *       the replica stopped receiving writes while others went on, so it is ERR (stale). A
 *       replica whose size differs from the first of them is ERR too.</li>
 *   <li>An even highest generation means the last engine shut down cleanly after flushing: all
 *       top-generation replicas are identical and all are RW.</li>
 *   <li>An odd highest generation means the last engine stopped without a clean shutdown. Writes
 *       it had in flight (never acknowledged) may have reached some replicas and not others, so
 *       their contents may differ in those blocks. The first of them, in the order given, is the
 *       source and RW; the others start WO and are resynchronised from it (a delta rebuild that
 *       copies only the chunks whose checksums differ).</li>
 *   <li>The engine then records a new odd generation on its RW replicas before serving: any
 *       replica not in this start (or ERR) is stale from now on.</li>
 * </ol>
 */
public final class StartupRule {

    private StartupRule() {
    }

    /** What the engine learned about one replica it was given. */
    public record Observation(String address, ReplicaInfo info, String unreachable) {
        public static Observation of(String address, ReplicaInfo info) {
            return new Observation(address, info, null);
        }

        public static Observation unreachable(String address, String why) {
            return new Observation(address, null, why);
        }
    }

    /** What to do with a replica at start. */
    public enum Role {
        RW,
        /** Top generation but possibly divergent: start WO and rebuild from the source. */
        RESYNC,
        ERR
    }

    public record Decision(String address, Role role, String reason, long generation) {
    }

    /**
     * @param size       the volume's size, taken from the replicas
     * @param generation the generation to record on the RW replicas before serving
     * @param source     the RW replica resynchronised replicas copy from, or null when none is RESYNC
     */
    public record Plan(List<Decision> decisions, long size, long generation, String source) {
        public boolean hasRw() {
            return decisions.stream().anyMatch(d -> d.role() == Role.RW);
        }

        public List<Decision> withRole(Role role) {
            return decisions.stream().filter(d -> d.role() == role).toList();
        }
    }

    public static Plan plan(List<Observation> replicas) {
        long maxGen = -1;
        for (Observation o : replicas) {
            if (usable(o) == null) {
                maxGen = Math.max(maxGen, o.info().getGeneration());
            }
        }
        long size = -1;
        for (Observation o : replicas) {
            if (usable(o) == null && o.info().getGeneration() == maxGen) {
                size = o.info().getSize();
                break;
            }
        }
        boolean clean = maxGen % 2 == 0;
        List<Decision> decisions = new ArrayList<>();
        String source = null;
        boolean haveRw = false;
        for (Observation o : replicas) {
            String unusable = usable(o);
            long g = o.info() == null ? -1 : o.info().getGeneration();
            if (unusable != null) {
                decisions.add(new Decision(o.address(), Role.ERR, unusable, g));
            } else if (g < maxGen) {
                decisions.add(new Decision(o.address(), Role.ERR, "stale: generation " + g
                        + " is behind generation " + maxGen + " of the other replicas", g));
            } else if (o.info().getSize() != size) {
                decisions.add(new Decision(o.address(), Role.ERR, "size " + o.info().getSize()
                        + " differs from the volume size " + size, g));
            } else if (!haveRw) {
                haveRw = true;
                source = o.address();
                decisions.add(new Decision(o.address(), Role.RW, "", g));
            } else if (clean) {
                decisions.add(new Decision(o.address(), Role.RW, "", g));
            } else {
                decisions.add(new Decision(o.address(), Role.RESYNC,
                        "the last engine did not shut down cleanly; resynchronising from " + source, g));
            }
        }
        boolean anyResync = decisions.stream().anyMatch(d -> d.role() == Role.RESYNC);
        long next = maxGen < 0 ? 1 : (clean ? maxGen + 1 : maxGen + 2);
        return new Plan(List.copyOf(decisions), Math.max(size, 0), next, anyResync ? source : null);
    }

    /** Null when the replica may serve as far as its own state goes, else why not. */
    private static String usable(Observation o) {
        if (o.info() == null) {
            return "unreachable: " + o.unreachable();
        }
        if (!o.info().getError().isEmpty()) {
            return "replica reports an error: " + o.info().getError();
        }
        if (o.info().getRebuilding()) {
            return "its rebuild did not finish";
        }
        if (o.info().getSize() <= 0 || o.info().getSize() % VolumeDevice.BLOCK_SIZE != 0) {
            return "invalid size " + o.info().getSize();
        }
        return null;
    }

    /** The generation a clean shutdown records: the next even one. */
    static long cleanGeneration(long serving) {
        return serving % 2 == 0 ? serving : serving + 1;
    }
}
