/**
 * The {@code s3://bucket@region/path} target, on the AWS SDK v2 S3 client. Works with any
 * S3-compatible server: endpoint from {@code AWS_ENDPOINTS}, path-style access, credentials from
 * {@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY} (the keys of Longhorn's backup target secret).
 */
package io.longhorn.backupstore.driver.s3;
