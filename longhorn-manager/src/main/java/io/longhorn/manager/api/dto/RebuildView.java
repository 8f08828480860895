package io.longhorn.manager.api.dto;

/** A rebuild in progress: which replica, from where, how far. */
public record RebuildView(String replica, String fromReplica, boolean isRebuilding, int progress, String state,
                          String error) {
}
