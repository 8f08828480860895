/**
 * Integration tests of the whole engine: real replica processes on temporary directories, the
 * packaged engine started through {@code bin/longhorn-engine}, and clients nobody here wrote
 * (qemu-img, qemu-io, nbdinfo, nbdcopy, nbdsh, fio, nbdfuse with ext4).
 */
package io.longhorn.engine.it;
