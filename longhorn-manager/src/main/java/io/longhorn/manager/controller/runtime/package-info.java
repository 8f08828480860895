/**
 * A small controller runtime: a work queue per controller (a key is never processed by two workers
 * at once; changes during processing requeue it), delayed requeues, exponential back-off on
 * errors, immediate requeue on conflicts, and periodic resync.
 */
package io.longhorn.manager.controller.runtime;
