/**
 * The replica's on-disk store: a chain of sparse layer files in Longhorn's layout
 * ({@code volume.meta}, {@code volume-head-NNN.img}, {@code volume-snap-<name>.img}, each with a
 * {@code .meta}), an in-memory per-block layer index rebuilt at open from the files' data/hole map,
 * and the chain operations (snapshot, revert, remove, purge, expand, rebuild).
 */
package io.longhorn.replica.store;
