package io.longhorn.replica.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One layer of a replica as users see it: a snapshot, or the head.
 *
 * @param name        snapshot name, or {@link #HEAD_NAME} for the head
 * @param file        layer file name in the replica directory
 * @param parent      parent snapshot name, null for the oldest
 * @param children    names of child snapshots (and {@code volume-head} when the head is a child)
 * @param created     creation time
 * @param labels      user labels
 * @param userCreated created by a user rather than by the system (rebuild, backup)
 * @param removed     marked removed; its data is still served until purge coalesces it
 * @param actualSize  bytes of data allocated in this layer
 * @param head        whether this is the writable head
 */
public record SnapshotInfo(String name, String file, String parent, List<String> children, Instant created,
                           Map<String, String> labels, boolean userCreated, boolean removed, long actualSize,
                           boolean head) {
    public static final String HEAD_NAME = "volume-head";
}
