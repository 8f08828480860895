/**
 * Snapshot data integrity: on the {@code snapshot-data-integrity-cronjob} schedule, every attached
 * volume's replicas bring their snapshot checksums up to date, the checksums are compared across
 * replicas ({@link io.longhorn.manager.integrity.ChecksumVerdict}, pure), and a replica whose
 * snapshot differs from the others is marked failed, so it is replaced and rebuilt.
 */
package io.longhorn.manager.integrity;
