package io.longhorn.csi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The StorageClass parameters a volume is created with, checked. A wrong value is refused with
 * INVALID_ARGUMENT naming the parameter; parameters this driver does not know are refused too, so
 * that a typing error never gives a volume other than the one asked for (the sidecars' own
 * {@code csi.storage.k8s.io/*} keys are let through).
 */
public record VolumeParameters(Integer numberOfReplicas, Integer staleReplicaTimeout, String fromBackup,
                               String dataLocality, List<String> diskSelector, List<String> nodeSelector,
                               List<RecurringJobRef> recurringJobSelector, String fsType, String mkfsParams) {
    /** Upstream's smallest volume. */
    public static final long MIN_SIZE = 10L * 1024 * 1024;
    /** Volumes are a whole number of these. */
    public static final long ALIGNMENT = 2L * 1024 * 1024;
    /** Longest name given to the manager: a PV's {@code pvc-<uuid>} is exactly this long. */
    public static final int MAX_NAME = 40;
    /** A new xfs volume below this is refused (xfs needs room for its log). */
    public static final long MIN_XFS_SIZE = 300L * 1024 * 1024;
    /** Minutes; what a value of 0 or less becomes, as upstream. */
    public static final int DEFAULT_STALE_REPLICA_TIMEOUT = 2880;

    public static final Set<String> FS_TYPES = Set.of("ext4", "xfs");
    static final Set<String> DATA_LOCALITIES = Set.of("disabled", "best-effort", "strict-local");
    static final Set<String> KNOWN = Set.of("numberOfReplicas", "staleReplicaTimeout", "fromBackup", "dataLocality",
            "diskSelector", "nodeSelector", "recurringJobSelector", "fsType", "mkfsParams");

    /** A recurring job or group the volume joins. */
    public record RecurringJobRef(String name, boolean isGroup) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    public static VolumeParameters parse(Map<String, String> p) {
        for (String key : p.keySet()) {
            if (!KNOWN.contains(key) && !key.startsWith("csi.storage.k8s.io/")) {
                throw Errors.invalid("parameters." + key, "unknown StorageClass parameter; known: "
                        + String.join(", ", KNOWN.stream().sorted().toList()));
            }
        }
        Integer replicas = null;
        if (has(p, "numberOfReplicas")) {
            replicas = integer(p, "numberOfReplicas");
            if (replicas < 1 || replicas > 20) {
                throw Errors.invalid("parameters.numberOfReplicas", "must be between 1 and 20, got " + replicas);
            }
        }
        Integer stale = null;
        if (has(p, "staleReplicaTimeout")) {
            stale = integer(p, "staleReplicaTimeout");
            if (stale <= 0) {
                stale = DEFAULT_STALE_REPLICA_TIMEOUT;
            }
        }
        String locality = null;
        if (has(p, "dataLocality")) {
            locality = p.get("dataLocality");
            if (!DATA_LOCALITIES.contains(locality)) {
                throw Errors.invalid("parameters.dataLocality", "\"" + locality
                        + "\" is not one of disabled, best-effort, strict-local");
            }
        }
        String fs = "ext4";
        if (has(p, "fsType")) {
            fs = p.get("fsType").toLowerCase(Locale.ROOT);
            if (!FS_TYPES.contains(fs)) {
                throw Errors.invalid("parameters.fsType", "\"" + p.get("fsType") + "\" is not ext4 or xfs");
            }
        }
        String mkfs = has(p, "mkfsParams") ? p.get("mkfsParams").trim() : "";
        if (mkfs.contains("\n") || mkfs.contains("\0")) {
            throw Errors.invalid("parameters.mkfsParams", "must be one line of mkfs options");
        }
        return new VolumeParameters(replicas, stale, has(p, "fromBackup") ? p.get("fromBackup") : null, locality,
                tags(p, "diskSelector"), tags(p, "nodeSelector"), jobs(p), fs, mkfs);
    }

    private static boolean has(Map<String, String> p, String key) {
        return p.containsKey(key) && !p.get(key).isBlank();
    }

    private static int integer(Map<String, String> p, String key) {
        try {
            return Integer.parseInt(p.get(key).trim());
        } catch (NumberFormatException e) {
            throw Errors.invalid("parameters." + key, "\"" + p.get(key) + "\" is not a whole number");
        }
    }

    private static List<String> tags(Map<String, String> p, String key) {
        List<String> out = new ArrayList<>();
        if (!has(p, key)) {
            return out;
        }
        for (String t : p.get(key).split(",")) {
            String tag = t.trim();
            if (tag.isEmpty()) {
                continue;
            }
            if (!tag.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
                throw Errors.invalid("parameters." + key, "tag \"" + tag + "\" may hold only letters, digits, _ . -");
            }
            out.add(tag);
        }
        return out;
    }

    private static List<RecurringJobRef> jobs(Map<String, String> p) {
        List<RecurringJobRef> out = new ArrayList<>();
        if (!has(p, "recurringJobSelector")) {
            return out;
        }
        JsonNode n;
        try {
            n = JSON.readTree(p.get("recurringJobSelector"));
        } catch (Exception e) {
            throw Errors.invalid("parameters.recurringJobSelector", "not JSON: " + e.getMessage());
        }
        if (n == null || !n.isArray()) {
            throw Errors.invalid("parameters.recurringJobSelector", "must be a JSON list of {\"name\":…,\"isGroup\":…}");
        }
        for (JsonNode e : n) {
            if (!e.isObject() || !e.path("name").isTextual() || e.path("name").asText().isEmpty()) {
                throw Errors.invalid("parameters.recurringJobSelector", "every entry needs a \"name\"");
            }
            JsonNode g = e.path("isGroup");
            if (!g.isMissingNode() && !g.isBoolean()) {
                throw Errors.invalid("parameters.recurringJobSelector", "\"isGroup\" must be true or false");
            }
            out.add(new RecurringJobRef(e.path("name").asText(), g.asBoolean(false)));
        }
        return out;
    }

    /**
     * The size the volume gets for a capacity range: at least {@link #MIN_SIZE} and at least the
     * required bytes, rounded up to {@link #ALIGNMENT}; OUT_OF_RANGE when that exceeds the limit.
     */
    public static long size(long required, long limit) {
        if (required < 0) {
            throw Errors.invalid("capacity_range.required_bytes", "must not be negative");
        }
        if (limit < 0) {
            throw Errors.invalid("capacity_range.limit_bytes", "must not be negative");
        }
        if (limit > 0 && required > limit) {
            throw Errors.outOfRange("capacity_range: required_bytes " + required + " is above limit_bytes " + limit);
        }
        long size = Math.max(required, MIN_SIZE);
        if (size > Long.MAX_VALUE - ALIGNMENT) {
            throw Errors.outOfRange("capacity_range: " + required + " bytes is too large");
        }
        size = (size + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
        if (limit > 0 && size > limit) {
            throw Errors.outOfRange("capacity_range: the smallest volume for required_bytes " + required + " is "
                    + size + " bytes, above limit_bytes " + limit);
        }
        return size;
    }

    /**
     * The manager's name for a CSI volume name, as upstream: lowercased, and a name longer than
     * {@link #MAX_NAME} becomes its first 31 characters, a dash and 8 hex digits of its SHA-256.
     */
    public static String volumeName(String csiName) {
        String n = csiName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
        if (n.length() > MAX_NAME) {
            n = n.substring(0, 31) + "-" + sha256(csiName).substring(0, 8);
        }
        n = n.replaceAll("^-+", "").replaceAll("-+$", "");
        if (n.isEmpty()) {
            throw Errors.invalid("name", "\"" + csiName + "\" holds no letter or digit");
        }
        return n;
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
