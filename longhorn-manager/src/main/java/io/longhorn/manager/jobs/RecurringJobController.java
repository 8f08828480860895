package io.longhorn.manager.jobs;

import io.longhorn.manager.controller.ControllerContext;
import io.longhorn.manager.controller.runtime.Reconciler;
import io.longhorn.manager.controller.runtime.Result;
import io.longhorn.manager.model.RecurringJob;
import io.longhorn.manager.store.Resources;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps one cron schedule per RecurringJob: scheduled when the job appears, rescheduled when its
 * cron changes, removed with the job. Other changes (retain, concurrency, groups, labels) need no
 * reschedule: the runner reads the job at each run.
 */
public final class RecurringJobController implements Reconciler {
    public static final String NAME = "recurringjob";

    private final ControllerContext ctx;
    private final CronScheduler cron;
    private final RecurringJobRunner runner;
    private final Map<String, String> scheduled = new ConcurrentHashMap<>();

    public RecurringJobController(ControllerContext ctx, CronScheduler cron, RecurringJobRunner runner) {
        this.ctx = ctx;
        this.cron = cron;
        this.runner = runner;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> keys() {
        return ctx.store().list(RecurringJob.class).stream().map(Resources::name).toList();
    }

    @Override
    public Result reconcile(String name) {
        Optional<RecurringJob> job = ctx.store().get(RecurringJob.class, name);
        if (job.isEmpty() || Resources.isDeleting(job.get())) {
            if (scheduled.remove(name) != null) {
                cron.unschedule(name);
                ctx.events().normal("RecurringJob", name, "Unscheduled", "recurring job " + name + " unscheduled");
            }
            return Result.DONE;
        }
        String expr = job.get().getSpec().cron;
        if (expr.equals(scheduled.get(name))) {
            return Result.DONE;
        }
        try {
            cron.validate(expr);
        } catch (IllegalArgumentException e) {
            ctx.events().warning("RecurringJob", name, "InvalidCron", "recurring job " + name + ": " + e.getMessage());
            return Result.DONE;
        }
        cron.schedule(name, expr, () -> runner.run(name));
        scheduled.put(name, expr);
        ctx.events().normal("RecurringJob", name, "Scheduled", "recurring job " + name + " ("
                + job.get().getSpec().task + ") scheduled at \"" + expr + "\"");
        return Result.DONE;
    }
}
