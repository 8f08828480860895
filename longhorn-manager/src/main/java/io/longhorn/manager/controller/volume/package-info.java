/**
 * The volume controller: creates the engine and schedules the replicas of a volume, marks failed
 * replicas and replaces them, starts and stops instances on attach and detach, expands, restores
 * from backups (also as a DR volume), fills a volume from its dataSource (a copy of another volume
 * or of a snapshot, {@link io.longhorn.manager.controller.volume.CloneStep}), and computes the volume's state and robustness. Decisions are
 * pure functions ({@link io.longhorn.manager.controller.volume.Robustness},
 * {@link io.longhorn.manager.controller.volume.ReplicaPicker},
 * {@link io.longhorn.manager.controller.volume.VolumeStateRule}).
 */
package io.longhorn.manager.controller.volume;
