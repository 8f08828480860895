package io.longhorn.manager.service;

import java.util.List;

/** A disk as the diskUpdate action takes it; null means the default. */
public record DiskInput(String path, Boolean allowScheduling, Long storageReserved, List<String> tags,
                        Boolean evictionRequested) {
}
