/**
 * A real Kubernetes control plane for tests (etcd, kube-apiserver, optionally
 * kube-controller-manager) started from the binaries {@code bin/k8s-test-binaries} provides.
 */
package io.longhorn.manager.testing.kube;
