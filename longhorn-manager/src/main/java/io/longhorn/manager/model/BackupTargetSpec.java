package io.longhorn.manager.model;

/** The target URL, the credential secret and how often to look for new backups. */
public class BackupTargetSpec {
    public String backupTargetURL = "";
    public String credentialSecret = "";
    /** Go duration, e.g. {@code 5m0s}. */
    public String pollInterval = "5m0s";
    /** Set to ask for a sync now. */
    public String syncRequestedAt = "";
}
