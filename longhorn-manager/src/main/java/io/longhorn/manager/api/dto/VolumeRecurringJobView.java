package io.longhorn.manager.api.dto;

/** A job or group a volume joined. */
public record VolumeRecurringJobView(String id, String type, String name, boolean isGroup) {
}
