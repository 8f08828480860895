/**
 * Backup controllers: the backup target (availability, and mirroring the backup volumes and backups
 * it holds into resources), backups (running backup jobs on the backup service), and the helpers
 * for backup URLs and targets.
 */
package io.longhorn.manager.controller.backup;
