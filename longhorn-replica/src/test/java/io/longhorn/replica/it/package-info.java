/**
 * Integration tests of the replica process: started from the packaged application through
 * {@code bin/longhorn-replica}, driven over real sockets, killed with SIGKILL and reopened.
 */
package io.longhorn.replica.it;
