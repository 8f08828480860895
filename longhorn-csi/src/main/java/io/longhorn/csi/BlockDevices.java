package io.longhorn.csi;

import io.longhorn.csi.userspace.ExportFile;
import io.longhorn.csi.userspace.NbdEndpoint;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The block device of a volume on this node, connected to the engine's NBD export.
 *
 * <p>Where the kernel has its NBD client ({@code /sys/module/nbd}), the device is {@code /dev/nbdN}
 * connected by {@code nbd-client}. Elsewhere the userspace path serves: this process shows the
 * export as a file in a FUSE mount under the state directory ({@link ExportFile}), and a loop device
 * over that file is the block device (every I/O crosses FUSE and this process: slower). Each volume
 * keeps a directory {@code <state>/volumes/<volume>/} with the FUSE mount point ({@code fuse/}) and
 * {@code device} (which path, connected how), so that a repeated connect finds what is there and a
 * disconnect undoes exactly it: loop device, FUSE mount, the directory. Both paths grow with the
 * volume while connected ({@link #grow}). Programs run and files are read on the node through
 * {@link NodeHost}; the userspace path's file is served by this process, so it needs the node to be
 * this host.
 */
public class BlockDevices {
    /** A connected device; {@code userspace} when it is the FUSE + loop path. */
    public record Device(String path, boolean userspace) {
        public String conditionMessage() {
            return userspace
                    ? "attached through the userspace path (FUSE + loop device " + path
                      + "): slower than the kernel NBD client, which this node lacks"
                    : "attached through the kernel NBD client as " + path;
        }
    }

    private final NodeHost node;
    private final Mounts mounts;
    private final Path stateDir;
    private final boolean kernel;
    /** The userspace path's FUSE sessions, by volume. */
    private final Map<String, ExportFile> exports = new ConcurrentHashMap<>();

    public BlockDevices(NodeHost node, Path stateDir, boolean kernel) {
        this.node = node;
        this.mounts = new Mounts(node);
        this.stateDir = stateDir;
        this.kernel = kernel;
    }

    /** Whether the node's kernel has its NBD client and the program to connect it is installed. */
    public static boolean kernelNbdAvailable(NodeHost node) {
        return node.isDirectory(Path.of("/sys/module/nbd")) && node.run(List.of("nbd-client", "-h"), 10).code() != -1;
    }

    public NodeHost node() {
        return node;
    }

    public boolean kernel() {
        return kernel;
    }

    private Path dir(String volume) {
        return stateDir.resolve("volumes").resolve(volume);
    }

    /** The device connected for the volume, if one is and it is still live. */
    public Optional<Device> find(String volume) {
        Path f = dir(volume).resolve("device");
        if (!node.exists(f)) {
            return Optional.empty();
        }
        String[] parts;
        try {
            parts = node.read(f).trim().split(" ");
        } catch (IOException e) {
            return Optional.empty();
        }
        if (parts.length != 2) {
            return Optional.empty();
        }
        Device d = new Device(parts[1], parts[0].equals("userspace"));
        return live(volume, d) ? Optional.of(d) : Optional.empty();
    }

    private boolean live(String volume, Device d) {
        if (!node.exists(Path.of(d.path()))) {
            return false;
        }
        if (d.userspace()) {
            ExportFile e = exports.get(volume);
            return e != null && e.live() && loopsOf(fuseFile(volume)).contains(d.path());
        }
        return node.exists(Path.of("/sys/block", Path.of(d.path()).getFileName().toString(), "pid"));
    }

    /** Connects the volume's device to the export at {@code endpoint}, or returns the one connected. */
    public Device connect(String volume, String endpoint) {
        Optional<Device> existing = find(volume);
        if (existing.isPresent()) {
            return existing.get();
        }
        // Whatever a failed earlier attempt left is undone first.
        disconnect(volume);
        try {
            node.createDirectories(dir(volume));
        } catch (IOException e) {
            throw Errors.internal("cannot create " + dir(volume) + ": " + e.getMessage());
        }
        try {
            Device d = kernel ? connectKernel(volume, endpoint) : connectUserspace(volume, endpoint);
            node.write(dir(volume).resolve("device"), (d.userspace() ? "userspace " : "kernel ") + d.path());
            return d;
        } catch (RuntimeException | IOException e) {
            disconnect(volume);
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw Errors.internal("cannot record the device of " + volume + ": " + e.getMessage());
        }
    }

    private Path fuseDir(String volume) {
        return dir(volume).resolve("fuse");
    }

    private Path fuseFile(String volume) {
        return fuseDir(volume).resolve(ExportFile.FILE_NAME);
    }

    private Device connectUserspace(String volume, String endpoint) throws IOException {
        NbdEndpoint ep;
        try {
            ep = NbdEndpoint.parse(endpoint);
        } catch (IllegalArgumentException e) {
            throw Errors.failedPrecondition("the volume's " + e.getMessage());
        }
        Path fuse = fuseDir(volume);
        node.createDirectories(fuse);
        ExportFile e;
        try {
            e = ExportFile.mount(fuse, ep);
        } catch (IOException ex) {
            throw Errors.unavailable("cannot show " + endpoint + " as a file at " + fuse + ": " + ex.getMessage());
        }
        exports.put(volume, e);
        String loop = node.check(List.of("losetup", "--find", "--show", e.file().toString())).trim();
        return new Device(loop, true);
    }

    /**
     * The {@code nbd-client} command that connects {@code dev} to {@code endpoint}:
     * {@code nbd://host[:port]/name} over TCP, or {@code nbd+unix:///name?socket=PATH} over the
     * engine's Unix socket ({@code nbd-client -u}, which takes the socket's path as its host).
     */
    static List<String> nbdClientCommand(String endpoint, String dev) {
        NbdEndpoint ep;
        try {
            ep = NbdEndpoint.parse(endpoint);
        } catch (IllegalArgumentException e) {
            throw Errors.failedPrecondition("the kernel NBD client needs an nbd://host:port/name or "
                    + "nbd+unix:///name?socket=/path endpoint, got " + endpoint);
        }
        List<String> cmd = new ArrayList<>(List.of("nbd-client"));
        if (!ep.name().isEmpty()) {
            cmd.addAll(List.of("-N", ep.name()));
        }
        if (ep.unix()) {
            cmd.addAll(List.of("-u", ep.socket().toString(), dev));
        } else {
            cmd.addAll(List.of(ep.host(), Integer.toString(ep.port()), dev));
        }
        return cmd;
    }

    private Device connectKernel(String volume, String endpoint) {
        nbdClientCommand(endpoint, "/dev/nbd0"); // refuses an endpoint it cannot use before any device is taken
        for (int i = 0; i < 1024; i++) {
            Path sys = Path.of("/sys/block/nbd" + i);
            if (!node.isDirectory(sys)) {
                break;
            }
            if (node.exists(sys.resolve("pid"))) {
                continue;
            }
            String dev = "/dev/nbd" + i;
            List<String> cmd = nbdClientCommand(endpoint, dev);
            Exec.Result r = node.run(cmd);
            if (r.ok()) {
                return new Device(dev, false);
            }
            if (!r.output().contains("busy")) {
                throw Errors.internal(String.join(" ", cmd) + " failed: " + r.output());
            }
        }
        throw Errors.unavailable("no free /dev/nbdN device on this node");
    }

    /** Undoes a connect, whole or partial; nothing when the volume has nothing here. */
    public void disconnect(String volume) {
        Path d = dir(volume);
        if (!node.exists(d)) {
            return;
        }
        Path f = d.resolve("device");
        if (node.exists(f)) {
            try {
                String[] parts = node.read(f).trim().split(" ");
                if (parts.length == 2 && parts[0].equals("kernel") && node.exists(Path.of("/sys/block",
                        Path.of(parts[1]).getFileName().toString(), "pid"))) {
                    node.check(List.of("nbd-client", "-d", parts[1]));
                }
            } catch (IOException e) {
                throw Errors.internal("cannot read " + f + ": " + e.getMessage());
            }
        }
        List<String> loops = loopsOf(fuseFile(volume));
        String recorded = recordedLoop(f, volume);
        if (recorded != null && !loops.contains(recorded)) {
            loops.add(recorded);
        }
        for (String loop : loops) {
            node.check(List.of("losetup", "-d", loop));
        }
        Path fuse = fuseDir(volume);
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (mounts.isMountPoint(fuse)) {
            // The loop device lets go of the file asynchronously after losetup -d.
            Exec.Result r = node.run(List.of("umount", fuse.toString()));
            if (!r.ok()) {
                if (System.nanoTime() > deadline) {
                    // a session whose server is gone (this process restarted) cannot be unmounted otherwise
                    r = node.run(List.of("umount", "-l", fuse.toString()));
                    if (!r.ok()) {
                        throw Errors.internal("cannot unmount " + fuse + ": " + r.output());
                    }
                    break;
                }
                sleep(100);
            }
        }
        ExportFile served = exports.remove(volume);
        if (served != null) {
            served.close();
        }
        try {
            node.deleteTree(d);
        } catch (IOException e) {
            throw Errors.internal("cannot remove " + d + ": " + e.getMessage());
        }
    }

    /**
     * The loop device {@code device} records for the userspace path when it is still backed by the
     * volume's file ({@code /sys/block/loopN/loop/backing_file}): {@code losetup -j} cannot find it
     * when the file's FUSE session ended with the process that served it.
     */
    private String recordedLoop(Path deviceFile, String volume) {
        try {
            if (!node.exists(deviceFile)) {
                return null;
            }
            String[] parts = node.read(deviceFile).trim().split(" ");
            if (parts.length != 2 || !parts[0].equals("userspace")) {
                return null;
            }
            Path backing = Path.of("/sys/block", Path.of(parts[1]).getFileName().toString(), "loop", "backing_file");
            if (node.exists(backing) && node.read(backing).trim().startsWith(fuseFile(volume).toString())) {
                return parts[1];
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    /** The loop devices backed by the file (from {@code losetup -j}). */
    List<String> loopsOf(Path file) {
        List<String> out = new ArrayList<>();
        Exec.Result r = node.run(List.of("losetup", "-j", file.toString()));
        if (!r.ok()) {
            return out;
        }
        for (String line : r.output().split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.startsWith("/dev/")) {
                out.add(line.substring(0, colon));
            }
        }
        return out;
    }

    /**
     * Grows the volume's connected device to {@code bytes} after the engine was expanded, and
     * returns it; nothing when it is that large already. The kernel's device is told the new size
     * through netlink ({@link NodeHost#resizeNbd}) and is awaited until {@code blockdev} shows it
     * (the kernel announces the capacity change asynchronously to the block layer's readers).
     * On the userspace path the file takes the engine's new size from a new connection
     * ({@link ExportFile#grow}) and {@code losetup --set-capacity} grows the loop device. NOT_FOUND
     * when the volume has no device here.
     */
    public Device grow(String volume, long bytes) {
        Device d = find(volume).orElseThrow(() -> Errors.notFound("volume " + volume + " is not staged on this node"));
        if (size(d.path()) >= bytes) {
            return d;
        }
        if (d.userspace()) {
            try {
                exports.get(volume).grow(bytes);
            } catch (IOException e) {
                throw Errors.failedPrecondition("cannot grow " + d.path() + " of " + volume + " to " + bytes
                        + " bytes: " + e.getMessage());
            }
            node.check(List.of("losetup", "--set-capacity", d.path()));
        } else {
            node.resizeNbd(d.path(), bytes);
        }
        return Waits.until(d.path() + " of " + volume + " to show " + bytes + " bytes", Duration.ofSeconds(30),
                () -> size(d.path()) >= bytes ? Optional.of(d) : Optional.empty());
    }

    /** The size of a block device of the node in bytes. */
    public long size(String device) {
        return Long.parseLong(node.check(List.of("blockdev", "--getsize64", device)).trim());
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Errors.aborted("interrupted");
        }
    }
}
