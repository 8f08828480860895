package io.longhorn.manager.api.dto;

import io.longhorn.manager.model.RecurringJobRun;
import java.util.List;
import java.util.Map;

/** A recurring job. */
public record RecurringJobView(String id, String type, Map<String, String> links, String name, String task,
                               String cron, int retain, int concurrency, List<String> groups,
                               Map<String, String> labels, int executionCount, String lastRunAt, String lastError,
                               List<RecurringJobRun> history) {
}
