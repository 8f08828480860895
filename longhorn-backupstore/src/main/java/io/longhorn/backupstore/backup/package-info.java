/**
 * Creating a backup of one snapshot: which 2 MiB blocks to read (all blocks with data for a full
 * backup, the blocks touched by newer layers for an incremental one), reading a block's content as
 * the overlay of the snapshot chain, and uploading the blocks the store does not have yet, several
 * at a time. The backup's cfg is written last.
 */
package io.longhorn.backupstore.backup;
