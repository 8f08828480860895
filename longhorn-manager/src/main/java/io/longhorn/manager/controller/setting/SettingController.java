package io.longhorn.manager.controller.setting;

import io.longhorn.manager.controller.ControllerContext;
import io.longhorn.manager.controller.Writes;
import io.longhorn.manager.controller.backup.Targets;
import io.longhorn.manager.controller.runtime.Reconciler;
import io.longhorn.manager.controller.runtime.Result;
import io.longhorn.manager.model.BackupTarget;
import io.longhorn.manager.model.Setting;
import io.longhorn.manager.settings.SettingDefinition;
import io.longhorn.manager.settings.SettingNames;
import io.longhorn.manager.store.AlreadyExistsException;
import io.longhorn.manager.store.Resources;
import java.util.List;
import java.util.Optional;

/**
 * Creates missing settings with their defaults and applies the backup-target settings to the
 * default BackupTarget (as upstream, where the setting and the resource are two views of one thing).
 */
public final class SettingController implements Reconciler {
    public static final String NAME = "setting";

    private final ControllerContext ctx;

    public SettingController(ControllerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> keys() {
        return ctx.settings().definitions().all().stream().map(SettingDefinition::name).toList();
    }

    @Override
    public Result reconcile(String name) {
        Optional<SettingDefinition> def = ctx.settings().definitions().find(name);
        if (def.isEmpty()) {
            return Result.DONE;
        }
        Setting setting = ctx.store().get(Setting.class, name).orElse(null);
        if (setting == null) {
            Setting s = Resources.create(Setting.class, name);
            s.setValue(def.get().defaultValue());
            try {
                ctx.store().create(s);
            } catch (AlreadyExistsException e) {
                return Result.DONE;
            }
            return Result.DONE;
        }
        if (name.equals(SettingNames.BACKUP_TARGET) || name.equals(SettingNames.BACKUP_TARGET_CREDENTIAL_SECRET)
                || name.equals(SettingNames.BACKUPSTORE_POLL_INTERVAL)) {
            applyBackupTarget();
        }
        if (!setting.getStatus().applied) {
            Setting copy = Resources.copy(setting);
            copy.getStatus().applied = true;
            Writes.updateStatusIfChanged(ctx.store(), setting, copy);
        }
        return Result.DONE;
    }

    private void applyBackupTarget() {
        String url = ctx.settings().get(SettingNames.BACKUP_TARGET);
        String secret = ctx.settings().get(SettingNames.BACKUP_TARGET_CREDENTIAL_SECRET);
        String poll = ctx.settings().integer(SettingNames.BACKUPSTORE_POLL_INTERVAL) + "s";
        Optional<BackupTarget> existing = ctx.store().get(BackupTarget.class, Targets.DEFAULT);
        if (existing.isEmpty()) {
            BackupTarget bt = Resources.create(BackupTarget.class, Targets.DEFAULT);
            bt.getSpec().backupTargetURL = url;
            bt.getSpec().credentialSecret = secret;
            bt.getSpec().pollInterval = poll;
            try {
                ctx.store().create(bt);
            } catch (AlreadyExistsException e) {
                // Created meanwhile; the next change applies.
            }
            return;
        }
        BackupTarget copy = Resources.copy(existing.get());
        copy.getSpec().backupTargetURL = url;
        copy.getSpec().credentialSecret = secret;
        copy.getSpec().pollInterval = poll;
        Writes.updateIfChanged(ctx.store(), existing.get(), copy);
    }
}
