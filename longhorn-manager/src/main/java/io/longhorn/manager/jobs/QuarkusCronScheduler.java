package io.longhorn.manager.jobs;

import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduler;

/**
 * {@link CronScheduler} on quarkus-scheduler's programmatic API. The application sets
 * {@code quarkus.scheduler.cron-type=unix}, so expressions are Longhorn's five-field ones.
 */
public final class QuarkusCronScheduler implements CronScheduler {
    private final Scheduler scheduler;

    public QuarkusCronScheduler(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    @Override
    public synchronized void schedule(String id, String cron, Runnable task) {
        validate(cron);
        scheduler.unscheduleJob(id);
        scheduler.newJob(id)
                .setCron(cron)
                .setConcurrentExecution(Scheduled.ConcurrentExecution.SKIP)
                .setTask(execution -> task.run())
                .schedule();
    }

    @Override
    public synchronized void unschedule(String id) {
        scheduler.unscheduleJob(id);
    }

    @Override
    public void validate(String cron) {
        CronExpressions.validate(cron);
    }
}
