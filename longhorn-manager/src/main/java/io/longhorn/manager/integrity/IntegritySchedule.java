package io.longhorn.manager.integrity;

import io.longhorn.manager.controller.ControllerContext;
import io.longhorn.manager.jobs.CronScheduler;
import io.longhorn.manager.model.Setting;
import io.longhorn.manager.settings.SettingNames;
import io.longhorn.manager.store.ResourceStore;
import org.jboss.logging.Logger;

/**
 * Keeps the snapshot data integrity check on the {@code snapshot-data-integrity-cronjob} schedule
 * while {@code snapshot-data-integrity} is not {@code disabled}; follows both settings as they change.
 */
public final class IntegritySchedule implements AutoCloseable {
    static final String JOB_ID = "snapshot-data-integrity";
    private static final Logger LOG = Logger.getLogger(IntegritySchedule.class);

    private final ControllerContext ctx;
    private final CronScheduler cron;
    private final Runnable check;
    private ResourceStore.Subscription subscription;
    private String scheduled;

    public IntegritySchedule(ControllerContext ctx, CronScheduler cron, Runnable check) {
        this.ctx = ctx;
        this.cron = cron;
        this.check = check;
    }

    public void start() {
        subscription = ctx.store().watch(Setting.class, e -> {
            if (e.name().equals(SettingNames.SNAPSHOT_DATA_INTEGRITY)
                    || e.name().equals(SettingNames.SNAPSHOT_DATA_INTEGRITY_CRONJOB)) {
                apply();
            }
        });
        apply();
    }

    /** Schedules, reschedules or unschedules the check to match the settings. */
    public synchronized void apply() {
        boolean enabled = !"disabled".equals(ctx.settings().get(SettingNames.SNAPSHOT_DATA_INTEGRITY));
        String expr = ctx.settings().get(SettingNames.SNAPSHOT_DATA_INTEGRITY_CRONJOB);
        if (!enabled || expr.isBlank()) {
            if (scheduled != null) {
                cron.unschedule(JOB_ID);
                scheduled = null;
                LOG.info("snapshot data integrity check unscheduled");
            }
            return;
        }
        if (expr.equals(scheduled)) {
            return;
        }
        try {
            cron.schedule(JOB_ID, expr, check);
            scheduled = expr;
            LOG.infof("snapshot data integrity check scheduled at \"%s\"", expr);
        } catch (IllegalArgumentException e) {
            ctx.events().warning("Setting", SettingNames.SNAPSHOT_DATA_INTEGRITY_CRONJOB, "InvalidCron",
                    "snapshot data integrity check not scheduled: " + e.getMessage());
        }
    }

    /** The cron expression the check runs at, or null when it is not scheduled. */
    public synchronized String scheduled() {
        return scheduled;
    }

    @Override
    public synchronized void close() {
        if (subscription != null) {
            subscription.close();
        }
        if (scheduled != null) {
            cron.unschedule(JOB_ID);
            scheduled = null;
        }
    }
}
