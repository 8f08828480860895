package io.longhorn.manager.api.dto;

import io.longhorn.manager.model.Condition;
import java.util.Map;

/** A backup target: URL, credential secret, poll interval, availability. */
public record BackupTargetView(String id, String type, Map<String, String> links, Map<String, String> actions,
                               String name, String backupTargetURL, String credentialSecret, String pollInterval,
                               boolean available, String message, String lastSyncedAt,
                               Map<String, Condition> conditions) {
}
