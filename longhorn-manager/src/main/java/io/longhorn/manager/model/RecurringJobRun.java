package io.longhorn.manager.model;

import java.util.ArrayList;
import java.util.List;

/** One run of a recurring job. */
public class RecurringJobRun {
    public static final String SUCCEEDED = "succeeded";
    public static final String FAILED = "failed";

    public String startedAt = "";
    public String finishedAt = "";
    /** {@link #SUCCEEDED} or {@link #FAILED} (some volume failed). */
    public String state = "";
    /** The volumes the run worked on. */
    public List<String> volumes = new ArrayList<>();
    public String error = "";
}
