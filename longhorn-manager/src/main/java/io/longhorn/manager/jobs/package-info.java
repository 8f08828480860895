/**
 * Recurring jobs: the controller that keeps one cron schedule per RecurringJob (changed live when
 * the job changes), the runner that carries out a job's task for the volumes that joined it (by
 * label or group) with its concurrency and retain count, and the cron port with its
 * quarkus-scheduler adapter.
 */
package io.longhorn.manager.jobs;
