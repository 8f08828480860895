/**
 * A snapshot source reading a replica directory ({@code volume.meta}, {@code volume-snap-*.img} and
 * their {@code .meta} files) on local disk, with data extents from {@code lseek(SEEK_DATA/SEEK_HOLE)}.
 * For a stopped replica, and for tests that do not need a replica process.
 */
package io.longhorn.backupstore.source.dir;
