package io.longhorn.manager.jobs;

import io.longhorn.manager.model.Longhorn;
import io.longhorn.manager.model.RecurringJob;
import io.longhorn.manager.model.Volume;
import io.longhorn.manager.store.Resources;
import java.util.List;
import java.util.Map;

/**
 * Which volumes a recurring job works on, as Longhorn decides: those labelled
 * {@code recurring-job.longhorn.io/<job>: enabled}, those labelled
 * {@code recurring-job-group.longhorn.io/<group>: enabled} for one of the job's groups, and, when the
 * job is in the {@code default} group, every volume with no recurring job label at all. Pure.
 */
public final class VolumeSelector {
    private VolumeSelector() {
    }

    public static List<Volume> select(RecurringJob job, List<Volume> volumes) {
        String name = Resources.name(job);
        List<String> groups = job.getSpec().groups;
        return volumes.stream().filter(v -> joined(v, name, groups)).toList();
    }

    static boolean joined(Volume v, String job, List<String> groups) {
        Map<String, String> labels = Resources.labels(v);
        if (Longhorn.ENABLED.equals(labels.get(Longhorn.LABEL_RECURRING_JOB_PREFIX + job))) {
            return true;
        }
        for (String g : groups) {
            if (Longhorn.ENABLED.equals(labels.get(Longhorn.LABEL_RECURRING_GROUP_PREFIX + g))) {
                return true;
            }
        }
        boolean unlabelled = labels.keySet().stream().noneMatch(k -> k.startsWith(Longhorn.LABEL_RECURRING_JOB_PREFIX)
                || k.startsWith(Longhorn.LABEL_RECURRING_GROUP_PREFIX));
        return unlabelled && groups.contains(Longhorn.DEFAULT_GROUP);
    }
}
