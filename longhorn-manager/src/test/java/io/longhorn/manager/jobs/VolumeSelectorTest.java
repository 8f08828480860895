package io.longhorn.manager.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.longhorn.manager.model.RecurringJob;
import io.longhorn.manager.model.Volume;
import io.longhorn.manager.store.Resources;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VolumeSelectorTest {
    private static Volume volume(String name, Map<String, String> labels) {
        Volume v = Resources.create(Volume.class, name);
        Resources.labels(v).putAll(labels);
        return v;
    }

    private static RecurringJob job(String name, List<String> groups) {
        RecurringJob j = Resources.create(RecurringJob.class, name);
        j.getSpec().groups = groups;
        return j;
    }

    private static final List<Volume> VOLUMES = List.of(
            volume("by-job", Map.of("recurring-job.longhorn.io/snap", "enabled")),
            volume("by-group", Map.of("recurring-job-group.longhorn.io/gold", "enabled")),
            volume("other-job", Map.of("recurring-job.longhorn.io/other", "enabled")),
            volume("disabled", Map.of("recurring-job.longhorn.io/snap", "disabled")),
            volume("unlabelled", Map.of("app", "db")));

    private static List<String> names(List<Volume> vs) {
        return vs.stream().map(Resources::name).toList();
    }

    @Test
    void aJobTakesVolumesLabelledWithItsNameOrOneOfItsGroups() {
        assertEquals(List.of("by-job", "by-group"), names(VolumeSelector.select(job("snap", List.of("gold")), VOLUMES)));
    }

    @Test
    void theDefaultGroupTakesVolumesWithoutAnyRecurringJobLabel() {
        assertEquals(List.of("by-job", "unlabelled"), names(VolumeSelector.select(job("snap", List.of("default")), VOLUMES)));
    }

    @Test
    void aJobWithoutGroupsTakesOnlyItsOwnVolumes() {
        assertEquals(List.of("other-job"), names(VolumeSelector.select(job("other", List.of()), VOLUMES)));
    }
}
