/**
 * The resource store in Kubernetes: the Longhorn custom resources of one namespace, read and
 * written through the API server, watched through informers.
 */
package io.longhorn.manager.store.kubernetes;
