package io.longhorn.manager.service;

import io.longhorn.manager.controller.ControllerContext;
import io.longhorn.manager.model.Setting;
import io.longhorn.manager.settings.SettingDefinition;
import io.longhorn.manager.settings.SettingNames;
import io.longhorn.manager.store.AlreadyExistsException;
import io.longhorn.manager.store.Resources;
import io.longhorn.manager.store.Retry;
import java.util.List;

/** Reads and changes settings, refusing values their definition does not allow. */
public final class SettingService {
    private static final List<String> SCHEMES = List.of("s3://", "nfs://", "file://", "cifs://", "azblob://");

    private final ControllerContext ctx;

    public SettingService(ControllerContext ctx) {
        this.ctx = ctx;
    }

    /** A setting with its definition and current value. */
    public record SettingValue(SettingDefinition definition, String value) {
    }

    public List<SettingValue> list() {
        return ctx.settings().definitions().all().stream()
                .map(d -> new SettingValue(d, ctx.settings().get(d.name()))).toList();
    }

    public SettingValue get(String name) {
        SettingDefinition d = definition(name);
        return new SettingValue(d, ctx.settings().get(name));
    }

    public SettingValue update(String name, String value) {
        SettingDefinition d = definition(name);
        if (value == null) {
            throw new InvalidInputException("value", "value of setting " + name + " is required");
        }
        String v;
        try {
            v = d.validate(value);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("value", e.getMessage());
        }
        if (name.equals(SettingNames.BACKUP_TARGET) && !v.isEmpty() && SCHEMES.stream().noneMatch(v::startsWith)) {
            throw new InvalidInputException("value", "invalid value \"" + v + "\" for setting " + name
                    + ": expected s3://bucket@region/path, nfs://server:/path or file:///path");
        }
        if (ctx.store().get(Setting.class, name).isEmpty()) {
            Setting s = Resources.create(Setting.class, name);
            s.setValue(v);
            try {
                ctx.store().create(s);
                return get(name);
            } catch (AlreadyExistsException e) {
                // created meanwhile by the setting controller: update below
            }
        }
        Retry.update(ctx.store(), Setting.class, name, s -> {
            boolean changed = !s.getValue().equals(v);
            s.setValue(v);
            return changed;
        });
        ctx.events().normal("Setting", name, "Updated", "setting " + name + " set to \"" + v + "\"");
        return get(name);
    }

    private SettingDefinition definition(String name) {
        return ctx.settings().definitions().find(name)
                .orElseThrow(() -> new NotFoundException("setting " + name + " not found"));
    }
}
