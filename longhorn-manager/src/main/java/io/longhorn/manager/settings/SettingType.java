package io.longhorn.manager.settings;

/** How a setting's value is written. */
public enum SettingType { STRING, BOOL, INT, ENUM, CRON }
