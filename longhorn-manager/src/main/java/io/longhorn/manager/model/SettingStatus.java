package io.longhorn.manager.model;

/** Whether the setting's value has been applied. */
public class SettingStatus {
    public boolean applied;
}
