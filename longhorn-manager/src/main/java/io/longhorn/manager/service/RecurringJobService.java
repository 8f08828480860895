package io.longhorn.manager.service;

import io.longhorn.manager.controller.ControllerContext;
import io.longhorn.manager.jobs.CronScheduler;
import io.longhorn.manager.model.Longhorn;
import io.longhorn.manager.model.RecurringJob;
import io.longhorn.manager.model.RecurringJobSpec;
import io.longhorn.manager.model.RecurringJobTask;
import io.longhorn.manager.model.Volume;
import io.longhorn.manager.store.AlreadyExistsException;
import io.longhorn.manager.store.Resources;
import io.longhorn.manager.store.Retry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Recurring job requests, and joining volumes to jobs and groups (volume labels). */
public final class RecurringJobService {
    private static final Pattern GROUP = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final int MAX_RETAIN = 100;

    private final ControllerContext ctx;
    private final CronScheduler cron;

    public RecurringJobService(ControllerContext ctx, CronScheduler cron) {
        this.ctx = ctx;
        this.cron = cron;
    }

    public List<RecurringJob> list() {
        return ctx.store().list(RecurringJob.class);
    }

    public RecurringJob get(String name) {
        return ctx.store().get(RecurringJob.class, name)
                .orElseThrow(() -> new NotFoundException("recurring job " + name + " not found"));
    }

    public RecurringJob create(RecurringJobInput in) {
        String name = Validation.volumeName("name", in.name());
        RecurringJob job = Resources.create(RecurringJob.class, name);
        apply(job.getSpec(), in, true);
        job.getSpec().name = name;
        if (ctx.store().get(RecurringJob.class, name).isPresent()) {
            throw new ConflictStateException("NotUnique", "recurring job " + name + " already exists");
        }
        try {
            return ctx.store().create(job);
        } catch (AlreadyExistsException e) {
            throw new ConflictStateException("NotUnique", "recurring job " + name + " already exists");
        }
    }

    public RecurringJob update(String name, RecurringJobInput in) {
        RecurringJob current = get(name);
        if (in.name() != null && !in.name().isEmpty() && !in.name().equals(name)) {
            throw new InvalidInputException("name", "name of recurring job " + name + " cannot change to " + in.name());
        }
        RecurringJobSpec check = Resources.copy(current).getSpec();
        apply(check, in, false);
        return Retry.update(ctx.store(), RecurringJob.class, name, j -> {
            apply(j.getSpec(), in, false);
            return true;
        });
    }

    public void delete(String name) {
        get(name);
        ctx.store().delete(RecurringJob.class, name);
    }

    private void apply(RecurringJobSpec spec, RecurringJobInput in, boolean create) {
        if (in.task() != null || create) {
            spec.task = Validation.oneOf("task", in.task() == null ? "" : in.task(), RecurringJobTask.ALL);
        }
        if (in.cron() != null || create) {
            String c = in.cron() == null ? "" : in.cron().trim();
            if (c.isEmpty()) {
                throw new InvalidInputException("cron", "cron is required");
            }
            try {
                cron.validate(c);
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("cron", "invalid cron \"" + c + "\": " + e.getMessage());
            }
            spec.cron = c;
        }
        if (in.retain() != null) {
            int min = RecurringJobTask.SNAPSHOT_CLEANUP.equals(spec.task) ? 0 : 1;
            if (in.retain() < min || in.retain() > MAX_RETAIN) {
                throw new InvalidInputException("retain", "retain must be between " + min + " and " + MAX_RETAIN
                        + ", got " + in.retain());
            }
            spec.retain = in.retain();
        } else if (create) {
            spec.retain = RecurringJobTask.SNAPSHOT_CLEANUP.equals(spec.task) ? 0 : 1;
        }
        if (in.concurrency() != null) {
            if (in.concurrency() < 1) {
                throw new InvalidInputException("concurrency", "concurrency must be at least 1, got " + in.concurrency());
            }
            spec.concurrency = in.concurrency();
        }
        if (in.groups() != null) {
            List<String> groups = new ArrayList<>();
            for (String g : in.groups()) {
                if (g == null || !GROUP.matcher(g).matches()) {
                    throw new InvalidInputException("groups", "invalid group \"" + g
                            + "\": use lower case letters, digits or '-'");
                }
                if (!groups.contains(g)) {
                    groups.add(g);
                }
            }
            spec.groups = groups;
        }
        if (in.labels() != null) {
            spec.labels = new LinkedHashMap<>(in.labels());
        }
    }

    /** The jobs and groups a volume joined, from its labels. */
    public record VolumeJob(String name, boolean isGroup) {
    }

    public List<VolumeJob> volumeJobs(String volume) {
        Volume v = ctx.store().get(Volume.class, volume)
                .orElseThrow(() -> new NotFoundException("volume " + volume + " not found"));
        List<VolumeJob> list = new ArrayList<>();
        for (Map.Entry<String, String> e : Resources.labels(v).entrySet()) {
            if (!Longhorn.ENABLED.equals(e.getValue())) {
                continue;
            }
            if (e.getKey().startsWith(Longhorn.LABEL_RECURRING_JOB_PREFIX)) {
                list.add(new VolumeJob(e.getKey().substring(Longhorn.LABEL_RECURRING_JOB_PREFIX.length()), false));
            } else if (e.getKey().startsWith(Longhorn.LABEL_RECURRING_GROUP_PREFIX)) {
                list.add(new VolumeJob(e.getKey().substring(Longhorn.LABEL_RECURRING_GROUP_PREFIX.length()), true));
            }
        }
        return list;
    }

    public List<VolumeJob> addToVolume(String volume, String name, boolean isGroup) {
        if (name == null || name.isEmpty()) {
            throw new InvalidInputException("name", "name of the recurring job or group is required");
        }
        if (!isGroup) {
            get(name);
        } else if (!GROUP.matcher(name).matches()) {
            throw new InvalidInputException("name", "invalid group \"" + name + "\"");
        }
        String key = (isGroup ? Longhorn.LABEL_RECURRING_GROUP_PREFIX : Longhorn.LABEL_RECURRING_JOB_PREFIX) + name;
        labelVolume(volume, key, true);
        return volumeJobs(volume);
    }

    public List<VolumeJob> removeFromVolume(String volume, String name, boolean isGroup) {
        if (name == null || name.isEmpty()) {
            throw new InvalidInputException("name", "name of the recurring job or group is required");
        }
        String key = (isGroup ? Longhorn.LABEL_RECURRING_GROUP_PREFIX : Longhorn.LABEL_RECURRING_JOB_PREFIX) + name;
        labelVolume(volume, key, false);
        return volumeJobs(volume);
    }

    private void labelVolume(String volume, String key, boolean add) {
        if (ctx.store().get(Volume.class, volume).isEmpty()) {
            throw new NotFoundException("volume " + volume + " not found");
        }
        Retry.update(ctx.store(), Volume.class, volume, v -> add
                ? !Longhorn.ENABLED.equals(Resources.labels(v).put(key, Longhorn.ENABLED))
                : Resources.labels(v).remove(key) != null);
    }
}
