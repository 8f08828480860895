/**
 * The manager among its peers in a Kubernetes cluster: which nodes are up and have a ready manager
 * ({@link io.longhorn.manager.cluster.ClusterNodes}), and which manager handles which resource
 * ({@link io.longhorn.manager.cluster.Ownership}, pure; {@link io.longhorn.manager.cluster.OwnershipGate}).
 */
package io.longhorn.manager.cluster;
