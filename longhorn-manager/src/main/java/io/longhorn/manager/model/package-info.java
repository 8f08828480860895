/**
 * The Longhorn resource kinds ({@code longhorn.io/v1beta2}): Volume, Engine, Replica, Node, Setting,
 * BackupTarget, BackupVolume, Backup, RecurringJob, Snapshot and EngineImage, with Longhorn's spec
 * and status field names. They are fabric8 custom resources, so the same classes are stored as JSON
 * files by the standalone runtime and as CRDs in Kubernetes.
 *
 * <p>Spec and status types are plain data holders with public fields, like the Go structs they
 * mirror; never mutate an object obtained from a store without copying it first
 * ({@link io.longhorn.manager.store.Resources#copy}).
 */
package io.longhorn.manager.model;
