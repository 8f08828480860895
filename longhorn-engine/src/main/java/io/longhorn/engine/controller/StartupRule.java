package io.longhorn.engine.controller;

import io.longhorn.api.replica.ReplicaInfo;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides, when an engine starts over a set of replicas, which of them may serve. Pure: it sees
 * only what the replicas reported and the minimum generation the caller knows of.
 *
 * <p>The rule, built on the generation the engine records on replicas (see {@link ReplicaSet}):
 * <ol>
 *   <li>The volume's <em>required</em> generation is the highest of: the generation of every
 *       replica that reports one (errored and rebuilding ones included: an errored replica with a
 *       higher generation proves that writes went on without the others), and the minimum the
 *       caller passes (the last generation the manager saw this volume's engine record, which
 *       covers replicas that are unreachable now).</li>
 *   <li>A replica that is unreachable, reports an error, or is marked rebuilding (its rebuild did
 *       not finish) is ERR.</li>
 *   <li>Of the others, only those with the highest generation may be RW, and only when that
 *       generation is the required one. A lower generation means the replica stopped receiving
 *       writes while others went on, so it is ERR (stale). When no usable replica reaches the
 *       required generation, the volume does not start, unless the start is a <em>salvage</em>:
 *       then the usable replicas with the highest generation serve, and the plan says what is
 *       being given up. A replica whose size differs from the first of them is ERR too.</li>
 *   <li>An even top generation means the last engine shut down cleanly after flushing: all
 *       top-generation replicas are identical and all are RW.</li>
 *   <li>An odd top generation means the last engine stopped without a clean shutdown. Writes
 *       it had in flight (never acknowledged) may have reached some replicas and not others, so
 *       their contents may differ in those blocks. The first of them, in the order given, is the
 *       source and RW; the others start WO and are resynchronised from it (a delta rebuild that
 *       copies only the chunks whose checksums differ).</li>
 *   <li>The engine then records a new odd generation on its RW replicas before serving: the
 *       smallest odd number above the required generation, so every start records a generation
 *       no earlier start recorded anywhere (as far as the replicas and the minimum tell), and two
 *       starts can never leave different contents under one generation. Any replica not in this
 *       start (or ERR) is stale from now on.</li>
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
     * @param refused    why the volume may not start although replicas could serve (they are behind
     *                   the required generation), naming replicas and generations; empty otherwise
     * @param salvaged   what a salvage start gives up (the required generation it serves below);
     *                   empty when the start is not a salvage or needed none
     */
    public record Plan(List<Decision> decisions, long size, long generation, String source, String refused,
                       String salvaged) {
        public boolean hasRw() {
            return decisions.stream().anyMatch(d -> d.role() == Role.RW);
        }

        public List<Decision> withRole(Role role) {
            return decisions.stream().filter(d -> d.role() == role).toList();
        }
    }

    /** The rule without a known minimum and without salvage. */
    public static Plan plan(List<Observation> replicas) {
        return plan(replicas, 0, false);
    }

    /**
     * @param minimum the lowest generation the volume may serve from (the last one the manager saw
     *                this volume's engine record), 0 when unknown
     * @param salvage serve from the best usable replicas even when they are behind
     */
    public static Plan plan(List<Observation> replicas, long minimum, boolean salvage) {
        long required = Math.max(0, minimum);
        String requiredBy = minimum > 0 ? "the volume's last recorded generation " + minimum : "";
        for (Observation o : replicas) {
            if (o.info() != null && o.info().getGeneration() > required) {
                required = o.info().getGeneration();
                requiredBy = "replica " + o.address() + (usable(o) == null ? "" : " (" + usable(o) + ")");
            }
        }
        long top = -1;
        for (Observation o : replicas) {
            if (usable(o) == null) {
                top = Math.max(top, o.info().getGeneration());
            }
        }
        String refused = "";
        String salvaged = "";
        if (top >= 0 && top < required) {
            String behind = "the usable replicas reach generation " + top + " only, behind generation " + required
                    + " of " + requiredBy + "; replicas: " + describe(replicas, minimum);
            if (salvage) {
                salvaged = behind;
            } else {
                refused = behind;
            }
        }
        long size = -1;
        for (Observation o : replicas) {
            if (usable(o) == null && o.info().getGeneration() == top) {
                size = o.info().getSize();
                break;
            }
        }
        boolean clean = top % 2 == 0;
        List<Decision> decisions = new ArrayList<>();
        String source = null;
        boolean haveRw = false;
        for (Observation o : replicas) {
            String unusable = usable(o);
            long g = o.info() == null ? -1 : o.info().getGeneration();
            if (unusable != null) {
                decisions.add(new Decision(o.address(), Role.ERR, unusable, g));
            } else if (!refused.isEmpty()) {
                decisions.add(new Decision(o.address(), Role.ERR, "stale: generation " + g
                        + " is behind generation " + required + " of " + requiredBy, g));
            } else if (g < top) {
                decisions.add(new Decision(o.address(), Role.ERR, "stale: generation " + g
                        + " is behind generation " + top + " of the other replicas", g));
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
        return new Plan(List.copyOf(decisions), Math.max(size, 0), nextGeneration(required), anyResync ? source : null,
                refused, salvaged);
    }

    /** The smallest odd generation above {@code required}: a serving engine's generations are odd. */
    static long nextGeneration(long required) {
        return required % 2 == 0 ? required + 1 : required + 2;
    }

    /** "tcp://a:1 generation 7, tcp://b:1 generation 9 (replica reports an error: ...), ..." */
    private static String describe(List<Observation> replicas, long minimum) {
        List<String> parts = new ArrayList<>();
        for (Observation o : replicas) {
            String u = usable(o);
            parts.add(o.address() + (o.info() == null ? "" : " generation " + o.info().getGeneration())
                    + (u == null ? "" : " (" + u + ")"));
        }
        return String.join(", ", parts) + (minimum > 0 ? "; minimum generation " + minimum : "");
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
