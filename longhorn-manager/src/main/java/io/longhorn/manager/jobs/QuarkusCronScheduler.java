package io.longhorn.manager.jobs;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.parser.CronParser;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduler;

/**
 * {@link CronScheduler} on quarkus-scheduler's programmatic API. The application sets
 * {@code quarkus.scheduler.cron-type=unix}, so expressions are Longhorn's five-field ones.
 */
public final class QuarkusCronScheduler implements CronScheduler {
    private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

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
        try {
            PARSER.parse(cron).validate();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
