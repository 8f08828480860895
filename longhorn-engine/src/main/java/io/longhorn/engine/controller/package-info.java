/**
 * The per-volume controller: the replica set with its modes (RW, WO, ERR) and generation, the
 * fan-out of block I/O to replicas ({@link io.longhorn.engine.controller.VolumeDevice}, the
 * frontend's {@link io.longhorn.engine.frontend.BlockDevice}), failure handling, the I/O gate that
 * pauses clients for snapshots, and the operations on the volume as a whole
 * ({@link io.longhorn.engine.controller.VolumeController}). The rule that decides which replicas may
 * serve after a restart is {@link io.longhorn.engine.controller.StartupRule}.
 */
package io.longhorn.engine.controller;
