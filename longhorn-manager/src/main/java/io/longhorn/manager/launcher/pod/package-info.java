/**
 * Engines and replicas as Pods (the Kubernetes runtime): one Pod per instance, on its node, owned by
 * its Engine or Replica resource. {@link io.longhorn.manager.launcher.pod.PodSpecs} and
 * {@link io.longhorn.manager.launcher.pod.PodStates} are pure; {@link
 * io.longhorn.manager.launcher.pod.PodInstanceLauncher} talks to the API server.
 */
package io.longhorn.manager.launcher.pod;
