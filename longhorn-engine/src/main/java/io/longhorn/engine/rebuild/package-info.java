/**
 * Rebuild: copying a healthy replica's snapshot files to a replica that joined in WO mode. The
 * decisions (snapshot order, source choice, which chunks differ, extent arithmetic) are pure
 * functions; {@link io.longhorn.engine.rebuild.ReplicaSync} drives the replicas' rebuild RPCs and
 * reports into a {@link io.longhorn.engine.rebuild.RebuildProgress}.
 */
package io.longhorn.engine.rebuild;
