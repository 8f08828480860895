package io.longhorn.manager.model;

import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A recurring task: what, when (cron, five fields), how many results to keep, and for whom. */
public class RecurringJobSpec {
    public String name = "";
    public List<String> groups = new ArrayList<>();
    /** One of {@link RecurringJobTask}. */
    @Required
    @Pattern(Schemas.RECURRING_JOB_TASK)
    public String task = RecurringJobTask.SNAPSHOT;
    @Required
    public String cron = "";
    /** How many snapshots or backups made by this job to keep per volume. */
    @Min(0)
    @Max(100)
    public int retain = 1;
    /** How many volumes the job works on at the same time. */
    @Min(1)
    public int concurrency = 1;
    /** Labels put on the snapshots and backups the job makes. */
    public Map<String, String> labels = new LinkedHashMap<>();
    public Map<String, String> parameters = new LinkedHashMap<>();
}
