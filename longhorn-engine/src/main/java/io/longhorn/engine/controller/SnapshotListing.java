package io.longhorn.engine.controller;

import java.util.List;

/** The volume's snapshots, parents first, and the snapshot the head is based on. */
public record SnapshotListing(List<SnapshotView> snapshots, String headParent) {
}
