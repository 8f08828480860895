package io.longhorn.manager.api.dto;

import io.longhorn.manager.model.Condition;
import java.util.Map;

/**
 * A backup target: URL, credential secret, poll interval, availability. {@code pending}: the spec
 * changed and the manager has not checked the new target yet, so {@code available} and
 * {@code message} still describe the previous one.
 */
public record BackupTargetView(String id, String type, Map<String, String> links, Map<String, String> actions,
                               String name, String backupTargetURL, String credentialSecret, String pollInterval,
                               boolean available, boolean pending, String message, String lastSyncedAt,
                               Map<String, Condition> conditions) {
}
