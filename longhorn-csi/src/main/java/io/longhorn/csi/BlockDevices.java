package io.longhorn.csi;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The block device of a volume on this node, connected to the engine's NBD export.
 *
 * <p>Where the kernel has its NBD client ({@code /sys/module/nbd}), the device is {@code /dev/nbdN}
 * connected by {@code nbd-client}. Elsewhere the userspace path serves: {@code nbdfuse} shows the
 * export as a file in a FUSE mount under the state directory, and a loop device over that file is
 * the block device (every I/O crosses FUSE and libnbd: slower). Each volume keeps a directory
 * {@code <state>/volumes/<volume>/} with the FUSE mount point ({@code fuse/}), nbdfuse's pid file
 * and {@code device} (which path, connected how), so that a repeated connect finds what is there
 * and a disconnect undoes exactly it: loop device, FUSE mount, nbdfuse process, the directory.
 * Programs run and files are read on the node through {@link NodeHost}.
 */
public class BlockDevices {
    /** A connected device; {@code userspace} when it is the nbdfuse + loop path. */
    public record Device(String path, boolean userspace) {
        public String conditionMessage() {
            return userspace
                    ? "attached through the userspace path (nbdfuse + loop device " + path
                      + "): slower than the kernel NBD client, which this node lacks"
                    : "attached through the kernel NBD client as " + path;
        }
    }

    private final NodeHost node;
    private final Mounts mounts;
    private final Path stateDir;
    private final boolean kernel;

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
            return loopsOf(fuseFile(volume)).contains(d.path());
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
        return fuseDir(volume).resolve("nbd");
    }

    private Device connectUserspace(String volume, String endpoint) throws IOException {
        Path fuse = fuseDir(volume);
        node.createDirectories(fuse);
        Path pidFile = dir(volume).resolve("nbdfuse.pid");
        Path log = dir(volume).resolve("nbdfuse.log");
        NodeHost.Background p = node.start(List.of("nbdfuse", "-P", pidFile.toString(), fuseFile(volume).toString(),
                endpoint), log);
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!(node.exists(pidFile) && mounts.isMountPoint(fuse) && node.exists(fuseFile(volume)))) {
            if (!p.alive() && p.exitCode() != 0) {
                throw Errors.internal("nbdfuse " + endpoint + " failed (exit " + p.exitCode() + "): "
                        + node.read(log).trim());
            }
            if (System.nanoTime() > deadline) {
                throw Errors.deadline("nbdfuse did not show " + endpoint + " within 30 s: " + node.read(log).trim());
            }
            sleep(50);
        }
        String loop = node.check(List.of("losetup", "--find", "--show", fuseFile(volume).toString())).trim();
        return new Device(loop, true);
    }

    /**
     * The {@code nbd-client} command that connects {@code dev} to {@code endpoint}:
     * {@code nbd://host[:port]/name} over TCP, or {@code nbd+unix:///name?socket=PATH} over the
     * engine's Unix socket ({@code nbd-client -u}, which takes the socket's path as its host).
     */
    static List<String> nbdClientCommand(String endpoint, String dev) {
        URI u;
        try {
            u = new URI(endpoint);
        } catch (java.net.URISyntaxException e) {
            throw Errors.failedPrecondition("the volume's endpoint is not a URI: " + endpoint);
        }
        String name = u.getPath() == null ? "" : u.getPath().replaceFirst("^/", "");
        List<String> cmd = new ArrayList<>(List.of("nbd-client"));
        if (!name.isEmpty()) {
            cmd.addAll(List.of("-N", name));
        }
        if ("nbd".equals(u.getScheme()) && u.getHost() != null) {
            cmd.addAll(List.of(u.getHost(), Integer.toString(u.getPort() > 0 ? u.getPort() : 10809), dev));
            return cmd;
        }
        String query = u.getQuery() == null ? "" : u.getQuery();
        String socket = query.startsWith("socket=") ? query.substring("socket=".length()) : "";
        if ("nbd+unix".equals(u.getScheme()) && socket.startsWith("/") && !socket.contains("&")) {
            cmd.addAll(List.of("-u", socket, dev));
            return cmd;
        }
        throw Errors.failedPrecondition("the kernel NBD client needs an nbd://host:port/name or "
                + "nbd+unix:///name?socket=/path endpoint, got " + endpoint);
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
        for (String loop : loopsOf(fuseFile(volume))) {
            node.check(List.of("losetup", "-d", loop));
        }
        Path fuse = fuseDir(volume);
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (mounts.isMountPoint(fuse)) {
            // The loop device lets go of the file asynchronously after losetup -d.
            Exec.Result r = node.run(List.of("fusermount3", "-u", fuse.toString()));
            if (!r.ok()) {
                if (System.nanoTime() > deadline) {
                    throw Errors.internal("cannot unmount " + fuse + ": " + r.output());
                }
                sleep(100);
            }
        }
        Path pidFile = d.resolve("nbdfuse.pid");
        if (node.exists(pidFile)) {
            try {
                node.stop(Long.parseLong(node.read(pidFile).trim()), "nbdfuse");
            } catch (IOException | NumberFormatException e) {
                // no usable pid: the unmount above ends nbdfuse
            }
        }
        try {
            node.deleteTree(d);
        } catch (IOException e) {
            throw Errors.internal("cannot remove " + d + ": " + e.getMessage());
        }
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
     * NOT_FOUND when the volume has no device here.
     */
    public Device grow(String volume, long bytes) {
        Device d = find(volume).orElseThrow(() -> Errors.notFound("volume " + volume + " is not staged on this node"));
        long size = size(d.path());
        if (size >= bytes) {
            return d;
        }
        if (d.userspace()) {
            throw Errors.failedPrecondition("the device " + d.path() + " of " + volume + " has " + size + " bytes, fewer than " + bytes + ": a connected device keeps the size it was connected with; the file system grows to the volume's size when it is staged next");
        }
        node.resizeNbd(d.path(), bytes);
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
