package io.longhorn.manager.launcher.process;

/**
 * What is remembered of a running instance across manager restarts ({@code instances/<name>.json}).
 *
 * @param started the process start time, so that a recycled pid is not mistaken for the instance
 * @param device  an engine's block device (frontend {@code blockdev}), null otherwise
 */
public record InstanceRecord(String name, String kind, String volumeName, long pid, String started,
                             String controlAddress, String dataAddress, String endpoint, HostDevices.Connected device) {
}
