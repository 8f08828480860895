/**
 * The replica process: command line, start-up (open or create the store, start the data and
 * control servers, print the ready line) and clean shutdown.
 */
package io.longhorn.replica;
