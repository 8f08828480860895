/**
 * The standalone resource store: objects held in memory as JSON trees and persisted one file per
 * object ({@code <dir>/<plural>/<name>.json}), each written atomically (temporary file, fsync,
 * rename, directory fsync), so that a crash leaves either the old or the new version.
 */
package io.longhorn.manager.store.local;
