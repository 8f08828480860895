/**
 * Copying a snapshot of one volume into the replicas of another, with no backup target in between:
 * the snapshot's chain is read from a source replica (the same reads a backup makes) and written to
 * every replica of the new volume (the same writes a restore makes). This is how a volume is cloned
 * or made from a snapshot.
 */
package io.longhorn.backupstore.copy;
