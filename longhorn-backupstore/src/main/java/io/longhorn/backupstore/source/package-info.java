/**
 * Where a backup reads a snapshot from: {@link io.longhorn.backupstore.source.SnapshotSource}, the
 * layer files of a replica's snapshot chain and their data extents. Implemented over a replica's
 * gRPC control API ({@code source.replica}) and over a replica directory on local disk
 * ({@code source.dir}, for a stopped replica and for tests).
 */
package io.longhorn.backupstore.source;
