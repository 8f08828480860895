package io.longhorn.manager.settings;

import io.longhorn.manager.jobs.CronExpressions;
import java.util.List;
import java.util.Locale;

/**
 * One setting: its name (as upstream), type, default, limits and what it does.
 *
 * @param options allowed values of an {@link SettingType#ENUM}
 */
public record SettingDefinition(String name, String displayName, String category, SettingType type, String defaultValue,
                                long min, long max, List<String> options, String description) {

    static SettingDefinition string(String name, String display, String category, String def, String description) {
        return new SettingDefinition(name, display, category, SettingType.STRING, def, 0, 0, List.of(), description);
    }

    static SettingDefinition bool(String name, String display, String category, boolean def, String description) {
        return new SettingDefinition(name, display, category, SettingType.BOOL, Boolean.toString(def), 0, 0, List.of(),
                description);
    }

    static SettingDefinition integer(String name, String display, String category, long def, long min, long max,
                                     String description) {
        return new SettingDefinition(name, display, category, SettingType.INT, Long.toString(def), min, max, List.of(),
                description);
    }

    static SettingDefinition cron(String name, String display, String category, String def, String description) {
        return new SettingDefinition(name, display, category, SettingType.CRON, def, 0, 0, List.of(), description);
    }

    static SettingDefinition options(String name, String display, String category, String def, List<String> options,
                                     String description) {
        return new SettingDefinition(name, display, category, SettingType.ENUM, def, 0, 0, options, description);
    }

    SettingDefinition withDefault(String value) {
        return new SettingDefinition(name, displayName, category, type, value, min, max, options, description);
    }

    /**
     * Checks a value and returns it normalized (booleans lower case, integers without spaces).
     *
     * @throws IllegalArgumentException naming the setting, the value and what is allowed
     */
    public String validate(String value) {
        String v = value == null ? "" : value.trim();
        switch (type) {
            case BOOL -> {
                String lower = v.toLowerCase(Locale.ROOT);
                if (!lower.equals("true") && !lower.equals("false")) {
                    throw new IllegalArgumentException("invalid value \"" + value + "\" for setting " + name
                            + ": expected true or false");
                }
                return lower;
            }
            case INT -> {
                long n;
                try {
                    n = Long.parseLong(v);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("invalid value \"" + value + "\" for setting " + name
                            + ": expected an integer");
                }
                if (n < min || n > max) {
                    throw new IllegalArgumentException("invalid value " + n + " for setting " + name
                            + ": must be between " + min + " and " + max);
                }
                return Long.toString(n);
            }
            case ENUM -> {
                if (!options.contains(v)) {
                    throw new IllegalArgumentException("invalid value \"" + value + "\" for setting " + name
                            + ": expected one of " + String.join(", ", options));
                }
                return v;
            }
            case CRON -> {
                try {
                    CronExpressions.validate(v);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("invalid value \"" + value + "\" for setting " + name + ": "
                            + e.getMessage());
                }
                return v;
            }
            default -> {
                return v;
            }
        }
    }
}
