package io.longhorn.backupstore.source;

/**
 * One layer of a replica's chain.
 *
 * @param name    snapshot name ({@code volume-head} for the head)
 * @param file    layer file name, e.g. {@code volume-snap-s1.img}
 * @param parent  parent snapshot name, empty for the oldest
 * @param created creation time (RFC 3339), may be empty
 * @param head    whether this is the writable head
 * @param removed whether the snapshot was removed and only kept for its children
 */
public record SourceSnapshot(String name, String file, String parent, String created, boolean head,
                             boolean removed) {
}
