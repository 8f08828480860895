package io.longhorn.csi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.longhorn.csi.v1.VolumeCondition;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Volume facts and steps the Controller and Node services share, read from the manager's volume
 * view: size, where it is attached, whether it is restoring, its condition; attaching for an
 * engine-side operation and waiting for states.
 */
final class LonghornVolumes {
    static final Duration WAIT = Duration.ofSeconds(90);
    /** {@code attachedBy} of the driver's own short attachments (snapshots of a detached volume). */
    static final String SNAPSHOT_ATTACHER = "csi-snapshotter";
    static final String CSI_ATTACHER = "csi-attacher";

    private final ManagerClient manager;

    LonghornVolumes(ManagerClient manager) {
        this.manager = manager;
    }

    ManagerClient manager() {
        return manager;
    }

    static long size(JsonNode v) {
        return Long.parseLong(v.path("size").asText("0"));
    }

    static String state(JsonNode v) {
        return v.path("state").asText("");
    }

    /** The node the volume is attached to with its frontend, empty otherwise. */
    static String publishedNode(JsonNode v) {
        return "attached".equals(state(v)) && !v.path("disableFrontend").asBoolean() ? v.path("currentNodeID").asText("") : "";
    }

    /**
     * Whether the volume is still being filled, from a backup ({@code fromBackup}) or by the copy
     * from its {@code dataSource}, and so not ready for workloads.
     */
    static boolean restoring(JsonNode v) {
        return v.path("restoreRequired").asBoolean()
                || (!v.path("fromBackup").asText("").isEmpty() && v.path("lastRestoredBackup").asText("").isEmpty())
                || (!v.path("dataSource").asText("").isEmpty()
                        && !"completed".equals(v.path("cloneStatus").path("state").asText()));
    }

    /** Where a volume being filled gets its data: its backup URL or its dataSource. */
    static String filledFrom(JsonNode v) {
        String from = v.path("fromBackup").asText("");
        return from.isEmpty() ? v.path("dataSource").asText("") : from;
    }

    static VolumeCondition condition(JsonNode v) {
        String robustness = v.path("robustness").asText("unknown");
        String state = state(v);
        boolean abnormal = "faulted".equals(robustness);
        StringBuilder m = new StringBuilder("volume " + v.path("name").asText() + " is " + state);
        if ("attached".equals(state)) {
            m.append(" (").append(robustness).append(")");
        }
        if (restoring(v)) {
            m.append(", restoring from ").append(filledFrom(v));
        }
        if (abnormal) {
            m.append(": every replica failed");
        } else if ("degraded".equals(robustness)) {
            m.append(": some replicas are rebuilding or missing");
        }
        return VolumeCondition.newBuilder().setAbnormal(abnormal).setMessage(m.toString()).build();
    }

    /** {@code ", replicas unschedulable: <why>"} while the volume's Scheduled condition is false, else empty. */
    static String unscheduled(JsonNode v) {
        return schedulingFailure(v).map(why -> ", replicas unschedulable: " + why).orElse("");
    }

    /** Why the volume's replicas cannot be placed, while its Scheduled condition is false. */
    static Optional<String> schedulingFailure(JsonNode v) {
        JsonNode c = v.path("conditions").path("Scheduled");
        return "False".equals(c.path("status").asText()) ? Optional.of(c.path("message").asText()) : Optional.empty();
    }

    JsonNode require(String name) {
        return manager.volume(name).orElseThrow(() -> Errors.notFound("volume " + name + " not found"));
    }

    /** Waits until the volume is neither attaching nor detaching. */
    JsonNode settled(String name) {
        return Waits.until("volume " + name + " to finish attaching or detaching", WAIT, () -> {
            JsonNode v = require(name);
            String s = state(v);
            return s.equals("attaching") || s.equals("detaching") || s.isEmpty() || s.equals("creating")
                    ? Optional.empty() : Optional.of(v);
        });
    }

    JsonNode awaitAttached(String name, String node, boolean frontend) {
        return Waits.until("volume " + name + " to be attached to " + node, WAIT, () -> {
            JsonNode v = require(name);
            boolean ok = "attached".equals(state(v)) && (node.isEmpty() || node.equals(v.path("currentNodeID").asText()))
                    && (!frontend || !v.path("endpoint").asText("").isEmpty());
            return ok ? Optional.of(v) : Optional.empty();
        });
    }

    JsonNode awaitDetached(String name) {
        return Waits.until("volume " + name + " to be detached", WAIT, () -> {
            Optional<JsonNode> v = manager.volume(name);
            if (v.isEmpty()) {
                return Optional.of(ManagerClient.object());
            }
            return "detached".equals(state(v.get())) ? v : Optional.empty();
        });
    }

    /**
     * Runs an operation that needs the volume's engine (snapshots, backups). A volume attached
     * anywhere has one; a detached volume is attached with its frontend disabled for the operation
     * and detached again afterwards, also when the operation fails.
     *
     * <p>A detached volume's snapshot tree is what the manager recorded from its engine while it
     * ran; the manager records it from its periodic engine poll. {@code recorded} tells whether the
     * detached view shows the operation's outcome: when it does not yet, the volume is attached
     * again and left attached longer before the next detach (1, 2, 4, 8 s), so that the tree a
     * later listing reads is the one the operation left.
     */
    <T> T withEngine(String name, Supplier<T> op, Predicate<List<JsonNode>> recorded) {
        JsonNode v = settled(name);
        if ("attached".equals(state(v))) {
            return op.get();
        }
        if (restoring(v)) {
            throw Errors.aborted("volume " + name + " is restoring from a backup: try again when it is done");
        }
        attachForEngine(name);
        T result;
        try {
            result = op.get();
        } catch (RuntimeException e) {
            try {
                detach(name);
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        for (int attempt = 0; ; attempt++) {
            BlockDevices.sleep(1000L << attempt);
            detach(name);
            if (recorded == null || recorded.test(manager.snapshots(name))) {
                return result;
            }
            if (attempt == 3) {
                throw Errors.internal("the manager did not record the snapshot tree of " + name
                        + " before it was detached; try again");
            }
            attachForEngine(name);
        }
    }

    private void attachForEngine(String name) {
        ObjectNode body = ManagerClient.object().put("disableFrontend", true).put("attachedBy", SNAPSHOT_ATTACHER);
        manager.action(name, "attach", body);
        try {
            awaitAttached(name, "", false);
        } catch (RuntimeException e) {
            try {
                detach(name);
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private void detach(String name) {
        manager.action(name, "detach", ManagerClient.object());
        awaitDetached(name);
    }
}
