/**
 * The node controller: for the node this manager runs on, checks each disk directory (its identity
 * file {@code longhorn-disk.cfg}, capacity, free space) and sums what is scheduled on it.
 */
package io.longhorn.manager.controller.node;
