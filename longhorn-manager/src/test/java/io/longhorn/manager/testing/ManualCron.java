package io.longhorn.manager.testing;

import io.longhorn.manager.jobs.CronExpressions;
import io.longhorn.manager.jobs.CronScheduler;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Remembers schedules; {@link #fire} runs one now. */
public final class ManualCron implements CronScheduler {
    private final Map<String, String> crons = new ConcurrentHashMap<>();
    private final Map<String, Runnable> tasks = new ConcurrentHashMap<>();

    @Override
    public void schedule(String id, String cron, Runnable task) {
        validate(cron);
        crons.put(id, cron);
        tasks.put(id, task);
    }

    @Override
    public void unschedule(String id) {
        crons.remove(id);
        tasks.remove(id);
    }

    @Override
    public void validate(String cron) {
        CronExpressions.validate(cron);
    }

    public Map<String, String> schedules() {
        return Map.copyOf(crons);
    }

    public void fire(String id) {
        Runnable r = tasks.get(id);
        if (r == null) {
            throw new IllegalStateException("no schedule " + id);
        }
        r.run();
    }
}
