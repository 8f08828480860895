/**
 * Longhorn's backupstore format: where files live ({@link io.longhorn.backupstore.format.Layout}),
 * the JSON of {@code volume.cfg} and {@code backup_<name>.cfg} with upstream's field names,
 * block checksums and block compression. Pure functions and value types, no I/O.
 */
package io.longhorn.backupstore.format;
