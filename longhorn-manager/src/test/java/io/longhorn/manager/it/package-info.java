/** End-to-end tests of the packaged manager with real engines, replicas, backup service and S3. */
package io.longhorn.manager.it;
