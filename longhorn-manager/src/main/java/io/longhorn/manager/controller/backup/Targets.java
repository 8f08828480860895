package io.longhorn.manager.controller.backup;

import io.longhorn.api.backup.Target;
import io.longhorn.manager.controller.ControllerContext;
import io.longhorn.manager.model.BackupTarget;
import java.util.Optional;

/** Builds the backup service's {@link Target} from a BackupTarget resource and its credential secret. */
public final class Targets {
    public static final String DEFAULT = "default";

    private Targets() {
    }

    /** The target by name, when it exists and has a URL. */
    public static Optional<Target> of(ControllerContext ctx, String backupTargetName) {
        String name = backupTargetName == null || backupTargetName.isEmpty() ? DEFAULT : backupTargetName;
        return ctx.store().get(BackupTarget.class, name)
                .filter(bt -> !bt.getSpec().backupTargetURL.isEmpty())
                .map(bt -> Target.newBuilder().setUrl(bt.getSpec().backupTargetURL)
                        .putAllCredentials(ctx.credentials().read(bt.getSpec().credentialSecret)).build());
    }
}
