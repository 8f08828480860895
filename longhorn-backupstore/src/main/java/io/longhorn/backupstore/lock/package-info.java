/**
 * Lock files in a backup volume's {@code locks/} directory, as Longhorn uses them: backups and
 * restores share one lock type, deletions take the other, so a deletion never collects blocks a
 * running backup is about to reference. Locks expire 150 s after their last refresh (every 60 s),
 * so a killed process does not block the volume for ever.
 */
package io.longhorn.backupstore.lock;
