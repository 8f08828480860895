/**
 * The standalone instance launcher: engines and replicas as local processes started through the
 * {@code bin/} launchers, each with its output in {@code <data-dir>/logs/<name>.log}, recognised as
 * ready by its ready line, recorded in {@code <data-dir>/instances/<name>.json} so that a restarted
 * manager adopts the processes that still run.
 */
package io.longhorn.manager.launcher.process;
