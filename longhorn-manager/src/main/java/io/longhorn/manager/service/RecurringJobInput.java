package io.longhorn.manager.service;

import java.util.List;
import java.util.Map;

/** A recurring job as created or updated through the API; null means unchanged (or the default). */
public record RecurringJobInput(String name, String task, String cron, Integer retain, Integer concurrency,
                                List<String> groups, Map<String, String> labels) {
}
