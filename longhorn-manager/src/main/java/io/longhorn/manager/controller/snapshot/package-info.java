/**
 * The snapshot controller: mirrors each volume's snapshots, as its running engine reports them,
 * into Snapshot resources (so they are listed while the volume is detached and survive restarts),
 * takes snapshots requested as resources, and deletes snapshots whose resource is deleted.
 */
package io.longhorn.manager.controller.snapshot;
