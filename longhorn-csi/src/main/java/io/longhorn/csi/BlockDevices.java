package io.longhorn.csi;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

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

    private final Path stateDir;
    private final boolean kernel;

    public BlockDevices(Path stateDir, boolean kernel) {
        this.stateDir = stateDir;
        this.kernel = kernel;
    }

    /** Whether this node's kernel has its NBD client and the program to connect it is installed. */
    public static boolean kernelNbdAvailable() {
        return Files.isDirectory(Path.of("/sys/module/nbd")) && Exec.run(List.of("nbd-client", "-h"), 10).code() != -1;
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
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        String[] parts;
        try {
            parts = Files.readString(f).trim().split(" ");
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
        if (!Files.exists(Path.of(d.path()))) {
            return false;
        }
        if (d.userspace()) {
            return loopsOf(fuseFile(volume)).contains(d.path());
        }
        return Files.exists(Path.of("/sys/block", Path.of(d.path()).getFileName().toString(), "pid"));
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
            Files.createDirectories(dir(volume));
        } catch (IOException e) {
            throw Errors.internal("cannot create " + dir(volume) + ": " + e.getMessage());
        }
        try {
            Device d = kernel ? connectKernel(volume, endpoint) : connectUserspace(volume, endpoint);
            Files.writeString(dir(volume).resolve("device"), (d.userspace() ? "userspace " : "kernel ") + d.path());
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
        Files.createDirectories(fuse);
        Path pidFile = dir(volume).resolve("nbdfuse.pid");
        Path log = dir(volume).resolve("nbdfuse.log");
        Process p = new ProcessBuilder("nbdfuse", "-P", pidFile.toString(), fuseFile(volume).toString(), endpoint)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!(Files.exists(pidFile) && Mounts.isMountPoint(fuse) && Files.exists(fuseFile(volume)))) {
            if (!p.isAlive() && p.exitValue() != 0) {
                throw Errors.internal("nbdfuse " + endpoint + " failed (exit " + p.exitValue() + "): "
                        + Files.readString(log).trim());
            }
            if (System.nanoTime() > deadline) {
                throw Errors.deadline("nbdfuse did not show " + endpoint + " within 30 s: " + Files.readString(log).trim());
            }
            sleep(50);
        }
        String loop = Exec.check(List.of("losetup", "--find", "--show", fuseFile(volume).toString())).trim();
        return new Device(loop, true);
    }

    private Device connectKernel(String volume, String endpoint) {
        URI u = URI.create(endpoint);
        if (!"nbd".equals(u.getScheme()) || u.getHost() == null) {
            throw Errors.failedPrecondition("the kernel NBD client needs an nbd://host:port/name endpoint, got " + endpoint);
        }
        String name = u.getPath() == null ? "" : u.getPath().replaceFirst("^/", "");
        int port = u.getPort() > 0 ? u.getPort() : 10809;
        for (int i = 0; i < 1024; i++) {
            Path sys = Path.of("/sys/block/nbd" + i);
            if (!Files.isDirectory(sys)) {
                break;
            }
            if (Files.exists(sys.resolve("pid"))) {
                continue;
            }
            String dev = "/dev/nbd" + i;
            List<String> cmd = new ArrayList<>(List.of("nbd-client", u.getHost(), Integer.toString(port), dev));
            if (!name.isEmpty()) {
                cmd.addAll(List.of("-N", name));
            }
            Exec.Result r = Exec.run(cmd);
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
        if (!Files.exists(d)) {
            return;
        }
        Path f = d.resolve("device");
        if (Files.exists(f)) {
            try {
                String[] parts = Files.readString(f).trim().split(" ");
                if (parts.length == 2 && parts[0].equals("kernel") && Files.exists(Path.of("/sys/block",
                        Path.of(parts[1]).getFileName().toString(), "pid"))) {
                    Exec.check(List.of("nbd-client", "-d", parts[1]));
                }
            } catch (IOException e) {
                throw Errors.internal("cannot read " + f + ": " + e.getMessage());
            }
        }
        for (String loop : loopsOf(fuseFile(volume))) {
            Exec.check(List.of("losetup", "-d", loop));
        }
        Path fuse = fuseDir(volume);
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (Mounts.isMountPoint(fuse)) {
            // The loop device lets go of the file asynchronously after losetup -d.
            Exec.Result r = Exec.run(List.of("fusermount3", "-u", fuse.toString()));
            if (!r.ok()) {
                if (System.nanoTime() > deadline) {
                    throw Errors.internal("cannot unmount " + fuse + ": " + r.output());
                }
                sleep(100);
            }
        }
        Path pidFile = d.resolve("nbdfuse.pid");
        if (Files.exists(pidFile)) {
            try {
                long pid = Long.parseLong(Files.readString(pidFile).trim());
                ProcessHandle.of(pid).filter(h -> h.info().command().map(c -> c.endsWith("nbdfuse")).orElse(false))
                        .ifPresent(h -> {
                            h.destroy();
                            try {
                                h.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
                            } catch (Exception e) {
                                h.destroyForcibly();
                            }
                        });
            } catch (IOException | NumberFormatException e) {
                // no usable pid: the unmount above ends nbdfuse
            }
        }
        try (Stream<Path> walk = Files.walk(d)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw Errors.internal("cannot remove " + d + ": " + e.getMessage());
        }
    }

    /** The loop devices backed by the file (from {@code losetup -j}). */
    static List<String> loopsOf(Path file) {
        List<String> out = new ArrayList<>();
        Exec.Result r = Exec.run(List.of("losetup", "-j", file.toString()));
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

    /** The size of a block device in bytes. */
    public static long size(String device) {
        return Long.parseLong(Exec.check(List.of("blockdev", "--getsize64", device)).trim());
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
