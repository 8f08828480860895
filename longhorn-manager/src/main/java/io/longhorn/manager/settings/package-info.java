/**
 * Longhorn's settings: their names, types, defaults and allowed values
 * ({@link io.longhorn.manager.settings.SettingDefinitions}), and a typed view of the current values
 * ({@link io.longhorn.manager.settings.Settings}).
 */
package io.longhorn.manager.settings;
