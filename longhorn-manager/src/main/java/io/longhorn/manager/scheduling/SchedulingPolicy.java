package io.longhorn.manager.scheduling;

import io.longhorn.manager.settings.SettingNames;
import io.longhorn.manager.settings.Settings;

/**
 * The settings scheduling obeys.
 *
 * @param overProvisioningPercentage schedulable space = (maximum - reserved) x this / 100
 * @param minimalAvailablePercentage a disk with less free space than maximum x this / 100 takes nothing
 * @param nodeSoftAntiAffinity       allow a second replica of a volume on a node when no other node can
 * @param diskSoftAntiAffinity       allow a second replica of a volume on a disk when no other disk can
 * @param zoneSoftAntiAffinity       allow a second replica of a volume in a zone when no other zone can
 */
public record SchedulingPolicy(long overProvisioningPercentage, long minimalAvailablePercentage,
                               boolean nodeSoftAntiAffinity, boolean diskSoftAntiAffinity,
                               boolean zoneSoftAntiAffinity) {

    /** A policy with soft zone anti-affinity (upstream's default). */
    public SchedulingPolicy(long overProvisioningPercentage, long minimalAvailablePercentage,
                            boolean nodeSoftAntiAffinity, boolean diskSoftAntiAffinity) {
        this(overProvisioningPercentage, minimalAvailablePercentage, nodeSoftAntiAffinity, diskSoftAntiAffinity, true);
    }

    public static SchedulingPolicy from(Settings settings) {
        return new SchedulingPolicy(settings.integer(SettingNames.STORAGE_OVER_PROVISIONING_PERCENTAGE),
                settings.integer(SettingNames.STORAGE_MINIMAL_AVAILABLE_PERCENTAGE),
                settings.bool(SettingNames.REPLICA_SOFT_ANTI_AFFINITY),
                settings.bool(SettingNames.REPLICA_DISK_SOFT_ANTI_AFFINITY),
                settings.bool(SettingNames.REPLICA_ZONE_SOFT_ANTI_AFFINITY));
    }
}
