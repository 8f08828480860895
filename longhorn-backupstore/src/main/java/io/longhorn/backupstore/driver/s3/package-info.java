/**
 * The {@code s3://bucket@region/path} target, on the AWS SDK v2 S3 client. Works with any
 * S3-compatible server: endpoint from {@code AWS_ENDPOINTS}, path-style access, credentials from
 * {@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY} (the keys of Longhorn's backup target secret),
 * and for stores with a private CA or a self-signed certificate the PEM certificate(s) in
 * {@code AWS_CERT}, trusted by that target's client in addition to the JDK's default trust store.
 */
package io.longhorn.backupstore.driver.s3;
