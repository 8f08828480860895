package io.longhorn.manager.jobs;

/** Runs tasks on cron schedules (five-field unix cron, as Longhorn's recurring jobs use). */
public interface CronScheduler {
    /** Schedules (or reschedules) the task under the id. Overlapping runs of one id are skipped. */
    void schedule(String id, String cron, Runnable task);

    void unschedule(String id);

    /** @throws IllegalArgumentException saying what is wrong with the expression */
    void validate(String cron);
}
