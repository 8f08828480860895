package io.longhorn.backupstore.lock;

/** Lock kinds; locks of the same kind are compatible, different kinds exclude each other. */
public enum LockType {
    /** Backups and restores: they add blocks or read them, never remove any. */
    BACKUP(1),
    /** Deletion of a backup or a backup volume: removes blocks. */
    DELETION(2);

    private final int code;

    LockType(int code) {
        this.code = code;
    }

    /** The number stored in lock files (upstream's constants). */
    public int code() {
        return code;
    }

    public static LockType ofCode(int code) {
        return code == DELETION.code ? DELETION : BACKUP;
    }
}
