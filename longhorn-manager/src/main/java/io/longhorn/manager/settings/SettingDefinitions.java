package io.longhorn.manager.settings;

import static io.longhorn.manager.settings.SettingNames.*;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The settings this manager knows, with upstream's names and defaults. A runtime may change
 * defaults (standalone allows replicas of a volume on one node, and puts data and backups under its
 * data directory).
 */
public final class SettingDefinitions {
    private static final String GENERAL = "general";
    private static final String BACKUP = "backup";
    private static final String SCHEDULING = "scheduling";
    private static final String SNAPSHOT = "snapshot";
    private static final String DANGER = "danger zone";

    private final Map<String, SettingDefinition> byName = new LinkedHashMap<>();

    private SettingDefinitions(Map<String, String> overrides) {
        for (SettingDefinition d : upstream()) {
            String o = overrides.get(d.name());
            byName.put(d.name(), o == null ? d : d.withDefault(d.validate(o)));
        }
    }

    /** Upstream's defaults, with some replaced. */
    public static SettingDefinitions withDefaults(Map<String, String> overrides) {
        for (String name : overrides.keySet()) {
            if (upstream().stream().noneMatch(d -> d.name().equals(name))) {
                throw new IllegalArgumentException("unknown setting " + name);
            }
        }
        return new SettingDefinitions(overrides);
    }

    public Optional<SettingDefinition> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public List<SettingDefinition> all() {
        return List.copyOf(byName.values());
    }

    private static List<SettingDefinition> upstream() {
        return List.of(
                SettingDefinition.string(BACKUP_TARGET, "Backup Target", BACKUP, "",
                        "The default backup target URL: s3://bucket@region/path, nfs://server:/path or file:///path."),
                SettingDefinition.string(BACKUP_TARGET_CREDENTIAL_SECRET, "Backup Target Credential Secret", BACKUP, "",
                        "The secret holding the default backup target's credentials."),
                SettingDefinition.integer(BACKUPSTORE_POLL_INTERVAL, "Backupstore Poll Interval", BACKUP, 300, 0,
                        Integer.MAX_VALUE, "Seconds between looks for new backups in the target; 0 disables polling."),
                SettingDefinition.integer(DEFAULT_REPLICA_COUNT, "Default Replica Count", GENERAL, 3, 1, 20,
                        "Replicas of a volume created without numberOfReplicas."),
                SettingDefinition.bool(REPLICA_SOFT_ANTI_AFFINITY, "Replica Node Level Soft Anti-Affinity", SCHEDULING,
                        false, "Allow replicas of one volume on the same node when no other node has room."),
                SettingDefinition.bool(REPLICA_DISK_SOFT_ANTI_AFFINITY, "Replica Disk Level Soft Anti-Affinity",
                        SCHEDULING, true, "Allow replicas of one volume on the same disk when no other disk has room."),
                SettingDefinition.bool(REPLICA_ZONE_SOFT_ANTI_AFFINITY, "Replica Zone Level Soft Anti-Affinity",
                        SCHEDULING, true, "Allow replicas of one volume in the same zone when no other zone has room (a node"
                                + " without a zone counts as a zone of its own)."),
                SettingDefinition.integer(STORAGE_OVER_PROVISIONING_PERCENTAGE, "Storage Over Provisioning Percentage",
                        SCHEDULING, 100, 0, 100_000,
                        "How much of a disk's schedulable space (maximum minus reserved) may be promised to replicas, in percent."),
                SettingDefinition.integer(STORAGE_MINIMAL_AVAILABLE_PERCENTAGE, "Storage Minimal Available Percentage",
                        SCHEDULING, 25, 0, 100, "A disk with less free space than this, in percent, takes no new replica."),
                SettingDefinition.integer(STORAGE_RESERVED_PERCENTAGE_FOR_DEFAULT_DISK,
                        "Storage Reserved Percentage For Default Disk", SCHEDULING, 30, 0, 100,
                        "Space of the default disk kept for other uses, in percent."),
                SettingDefinition.string(DEFAULT_DATA_PATH, "Default Data Path", GENERAL, "/var/lib/longhorn/",
                        "Where the default disk of a new node is."),
                SettingDefinition.integer(ENGINE_REPLICA_TIMEOUT, "Engine to Replica Timeout", GENERAL, 8, 8, 30,
                        "Seconds an engine waits for a replica before marking it ERR (applies to engines started"
                                + " after the change)."),
                SettingDefinition.integer(CONCURRENT_REPLICA_REBUILD_PER_NODE_LIMIT,
                        "Concurrent Replica Rebuild Per Node Limit", DANGER, 5, 0, 100,
                        "Replicas that may rebuild at the same time on a node; 0 disables rebuilding."),
                SettingDefinition.options(BACKUP_COMPRESSION_METHOD, "Backup Compression Method", BACKUP, "lz4",
                        List.of("lz4", "gzip", "none"), "How backup blocks are compressed."),
                SettingDefinition.integer(BACKUP_CONCURRENT_LIMIT, "Backup Concurrent Limit Per Backup", BACKUP, 2, 1,
                        100, "Blocks a backup uploads at the same time."),
                SettingDefinition.integer(RESTORE_CONCURRENT_LIMIT, "Restore Concurrent Limit Per Backup", BACKUP, 2, 1,
                        100, "Blocks a restore downloads at the same time."),
                SettingDefinition.bool(AUTO_SALVAGE, "Automatic salvage", GENERAL, true,
                        "When every replica of a volume failed, bring back the ones that were healthy last."),
                SettingDefinition.bool(DELETING_CONFIRMATION_FLAG, "Deleting Confirmation Flag", GENERAL, false,
                        "Confirms an uninstall: the uninstall job (deploy/longhorn-uninstall.yaml) deletes every"
                                + " volume and its data only while this is true, and refuses otherwise."),
                SettingDefinition.options(SNAPSHOT_DATA_INTEGRITY, "Snapshot Data Integrity", SNAPSHOT, "disabled",
                        List.of("disabled", "enabled", "fast-check"),
                        "Whether snapshot checksums are computed and compared across replicas on the"
                                + " snapshot-data-integrity-cronjob schedule: enabled re-hashes every snapshot file,"
                                + " fast-check only files whose ctime, mtime or size changed. A replica whose"
                                + " snapshot differs from the others is marked failed and rebuilt."),
                SettingDefinition.cron(SNAPSHOT_DATA_INTEGRITY_CRONJOB, "Snapshot Data Integrity Check CronJob",
                        SNAPSHOT, "0 0 */7 * *",
                        "When snapshot checksums are checked (five-field unix cron)."),
                SettingDefinition.integer(SNAPSHOT_MAX_COUNT, "Snapshot Maximum Count", SNAPSHOT, 250, 2, 250,
                        "Snapshots a volume may have (removed ones count until purged); another is refused."),
                SettingDefinition.integer(RECURRING_SUCCESSFUL_JOBS_HISTORY_LIMIT,
                        "Recurring Successful Jobs History Limit", SNAPSHOT, 1, 0, 100,
                        "Successful runs each recurring job keeps in its history; 0 keeps none."),
                SettingDefinition.integer(RECURRING_FAILED_JOBS_HISTORY_LIMIT, "Recurring Failed Jobs History Limit",
                        SNAPSHOT, 1, 0, 100, "Failed runs each recurring job keeps in its history; 0 keeps none."),
                SettingDefinition.bool(ALLOW_RECURRING_JOB_WHILE_VOLUME_DETACHED,
                        "Allow Recurring Job While Volume Is Detached", SNAPSHOT, false,
                        "Run recurring jobs for detached volumes too: each is attached for the job without a frontend"
                                + " and detached after it."),
                SettingDefinition.options(DEFAULT_DATA_LOCALITY, "Default Data Locality", GENERAL, "disabled",
                        List.of("disabled", "best-effort", "strict-local"), "Data locality of new volumes."),
                SettingDefinition.options(REPLICA_AUTO_BALANCE, "Replica Auto Balance", SCHEDULING, "disabled",
                        List.of("disabled", "least-effort", "best-effort"),
                        "Move replicas of healthy attached volumes: least-effort off a crowded zone or node while"
                                + " another holds none, best-effort also until zones and nodes differ by at most one."));
    }
}
