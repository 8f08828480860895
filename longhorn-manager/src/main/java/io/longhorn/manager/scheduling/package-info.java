/**
 * Replica scheduling as pure functions: which disk of which node takes a new replica, given the
 * disks' capacity, the over-provisioning and minimal-available percentages, and anti-affinity
 * (across nodes first, then across disks, each hard or soft by setting).
 */
package io.longhorn.manager.scheduling;
