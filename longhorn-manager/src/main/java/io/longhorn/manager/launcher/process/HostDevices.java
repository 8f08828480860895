package io.longhorn.manager.launcher.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The {@code blockdev} frontend on this host: turns an engine's NBD export into a block device and
 * links it as {@code <deviceDir>/<volume>} ({@code /dev/longhorn/<volume>}).
 *
 * <p>Two paths. <b>Kernel</b>, where the node has a kernel NBD client ({@code /sys/module/nbd}
 * and {@code nbd-client}): a free {@code /dev/nbdN} is connected to the export. <b>Userspace</b>
 * otherwise (root, {@code /dev/fuse}, {@code nbdfuse}, {@code losetup}): {@code nbdfuse} shows the
 * export as a file under {@code <frontendDir>/<volume>/}, and a loop device is set up over that
 * file; every block goes through FUSE, so it is slower. Each step is undone when a later one fails;
 * {@link #disconnect} undoes them in reverse (link, loop device, FUSE mount) and may be called again.
 */
final class HostDevices {
    private static final Logger LOG = Logger.getLogger(HostDevices.class);
    static final String KERNEL = "kernel";
    static final String USERSPACE = "userspace";
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final String FILE = "disk";

    /**
     * A connected device, recorded with the engine so that a restarted manager can undo it.
     *
     * @param kind       {@link #KERNEL} or {@link #USERSPACE}
     * @param path       the link, {@code /dev/longhorn/<volume>}
     * @param device     the block device it points at ({@code /dev/nbd0}, {@code /dev/loop3})
     * @param mountDir   the FUSE mount directory (userspace), empty otherwise
     * @param fusePid    the nbdfuse process (userspace), 0 otherwise
     */
    public record Connected(String kind, String path, String device, String mountDir, long fusePid) {
        /** What the volume's status says about it. */
        String describe() {
            return KERNEL.equals(kind) ? "kernel NBD client: " + device
                    : "userspace (slower): nbdfuse + " + device;
        }
    }

    /** A block device could not be made; the message says why and what works instead. */
    static final class DeviceException extends Exception {
        DeviceException(String message) {
            super(message);
        }
    }

    private final Path deviceDir;
    private final Path frontendDir;
    private final Path logDir;

    HostDevices(Path deviceDir, Path frontendDir, Path logDir) {
        this.deviceDir = deviceDir;
        this.frontendDir = frontendDir;
        this.logDir = logDir;
    }

    /** The link a volume's device gets. */
    Path linkOf(String volume) {
        return deviceDir.resolve(volume);
    }

    /**
     * Connects a block device to the export {@code nbd://host:port/<volume>} and links it.
     *
     * @throws DeviceException when this host cannot make one; nothing is left behind
     */
    Connected connect(String volume, String nbdUrl) throws DeviceException {
        URIParts u = URIParts.parse(nbdUrl);
        if (kernelClient()) {
            return connectKernel(volume, u);
        }
        List<String> missing = userspaceMissing();
        if (!missing.isEmpty()) {
            throw new DeviceException("frontend blockdev needs a block device on this host, and it can make none:"
                    + " no kernel NBD client (/sys/module/nbd with nbd-client), and the userspace path (nbdfuse"
                    + " and a loop device) needs " + String.join(", ", missing)
                    + "; use frontend nbd for the bare NBD export");
        }
        return connectUserspace(volume, nbdUrl);
    }

    private static boolean kernelClient() {
        return Files.isDirectory(Path.of("/sys/module/nbd")) && onPath("nbd-client");
    }

    private static List<String> userspaceMissing() {
        List<String> missing = new ArrayList<>();
        try {
            if (!Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"))) {
                missing.add("root");
            }
        } catch (IOException | UnsupportedOperationException e) {
            missing.add("root");
        }
        if (!Files.exists(Path.of("/dev/fuse"))) {
            missing.add("/dev/fuse");
        }
        for (String tool : List.of("nbdfuse", "fusermount3", "losetup")) {
            if (!onPath(tool)) {
                missing.add(tool);
            }
        }
        return missing;
    }

    private Connected connectKernel(String volume, URIParts u) throws DeviceException {
        for (int i = 0; i < 256; i++) {
            Path size = Path.of("/sys/block/nbd" + i + "/size");
            if (!Files.exists(size)) {
                break;
            }
            try {
                if (!"0".equals(Files.readString(size).trim())) {
                    continue; // in use
                }
            } catch (IOException e) {
                continue;
            }
            String device = "/dev/nbd" + i;
            Result r = run(List.of("nbd-client", "-N", u.export(), u.host(), Integer.toString(u.port()), device));
            if (r.code() != 0) {
                continue; // taken meanwhile, or refused: try the next one
            }
            Connected c = new Connected(KERNEL, linkOf(volume).toString(), device, "", 0);
            try {
                link(volume, device);
            } catch (DeviceException e) {
                disconnect(c);
                throw e;
            }
            LOG.infof("volume %s: %s -> %s (kernel NBD client)", volume, c.path(), device);
            return c;
        }
        throw new DeviceException("cannot connect a kernel NBD device to " + u + ": no free /dev/nbdN answered");
    }

    private Connected connectUserspace(String volume, String nbdUrl) throws DeviceException {
        Path mount = frontendDir.resolve(volume);
        Path file = mount.resolve(FILE);
        // A mount left over by an earlier run (a manager killed mid-way) goes first.
        unmount(mount);
        long pid = 0;
        String loop = "";
        try {
            Files.createDirectories(mount);
            Files.createDirectories(logDir);
            Path pidFile = frontendDir.resolve("." + volume + ".pid");
            Files.deleteIfExists(pidFile);
            Process p = new ProcessBuilder("nbdfuse", "-P", pidFile.toString(), file.toString(), nbdUrl)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logDir.resolve(volume + "-nbdfuse.log").toFile()))
                    .start();
            pid = p.pid();
            Instant deadline = Instant.now().plus(COMMAND_TIMEOUT);
            while (!Files.exists(pidFile) || !Files.exists(file)) {
                if (!p.isAlive()) {
                    throw new DeviceException("nbdfuse could not serve " + nbdUrl + " as a file (exit code "
                            + p.exitValue() + "; log: " + logDir.resolve(volume + "-nbdfuse.log") + ")");
                }
                if (Instant.now().isAfter(deadline)) {
                    throw new DeviceException("nbdfuse did not serve " + nbdUrl + " within "
                            + COMMAND_TIMEOUT.toSeconds() + " s");
                }
                Thread.sleep(20);
            }
            Files.deleteIfExists(pidFile);
            Result r = run(List.of("losetup", "--find", "--show", file.toString()));
            if (r.code() != 0 || !r.out().trim().startsWith("/dev/loop")) {
                throw new DeviceException("losetup could not set up a loop device over " + file + ": " + r.out().trim());
            }
            loop = r.out().trim();
            Connected c = new Connected(USERSPACE, linkOf(volume).toString(), loop, mount.toString(), pid);
            link(volume, loop);
            LOG.infof("volume %s: %s -> %s over nbdfuse (pid %d) at %s (userspace, slower than a kernel NBD client)",
                    volume, c.path(), loop, pid, file);
            return c;
        } catch (DeviceException | IOException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            disconnect(new Connected(USERSPACE, linkOf(volume).toString(), loop, mount.toString(), pid));
            if (e instanceof DeviceException d) {
                throw d;
            }
            throw new DeviceException("cannot make a block device for volume " + volume + ": " + e.getMessage());
        }
    }

    /** Points {@code <deviceDir>/<volume>} at the device, replacing an old link in one rename. */
    private void link(String volume, String device) throws DeviceException {
        Path link = linkOf(volume);
        Path tmp = deviceDir.resolve("." + volume + ".tmp");
        try {
            Files.createDirectories(deviceDir);
            Files.deleteIfExists(tmp);
            Files.createSymbolicLink(tmp, Path.of(device));
            Files.move(tmp, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // nothing more to undo
            }
            throw new DeviceException("cannot link " + link + " to " + device + ": " + e.getMessage());
        }
    }

    /**
     * Undoes a connection in reverse: the link (when it still points at this device), the loop or
     * NBD device, the FUSE mount and its nbdfuse process. Safe to call again; never unmounts a
     * file system a user mounted on the device (the device is then busy and stays, with a warning).
     */
    void disconnect(Connected c) {
        Path link = Path.of(c.path());
        try {
            if (Files.isSymbolicLink(link) && Files.readSymbolicLink(link).toString().equals(c.device())) {
                Files.delete(link);
            }
        } catch (IOException e) {
            LOG.warnf("cannot remove %s: %s", link, e.getMessage());
        }
        if (KERNEL.equals(c.kind())) {
            if (!c.device().isEmpty()) {
                Result r = run(List.of("nbd-client", "-d", c.device()));
                if (r.code() != 0) {
                    LOG.warnf("nbd-client -d %s: %s", c.device(), r.out().trim());
                }
            }
            return;
        }
        Path file = c.mountDir().isEmpty() ? null : Path.of(c.mountDir()).resolve(FILE);
        if (!c.device().isEmpty() && file != null && backingFile(c.device()).map(b -> b.equals(file.toString())).orElse(false)) {
            Result r = run(List.of("losetup", "-d", c.device()));
            if (r.code() != 0) {
                LOG.warnf("losetup -d %s: %s", c.device(), r.out().trim());
            }
        }
        if (!c.mountDir().isEmpty()) {
            unmount(Path.of(c.mountDir()));
        }
        if (c.fusePid() > 0) {
            ProcessHandle.of(c.fusePid()).filter(h -> h.info().command().map(x -> x.endsWith("nbdfuse")).orElse(false))
                    .ifPresent(h -> {
                        try {
                            h.onExit().get(5, TimeUnit.SECONDS);
                        } catch (Exception e) {
                            h.destroy();
                        }
                    });
        }
    }

    /** Unmounts a FUSE mount directory if mounted, and removes the directory. */
    private static void unmount(Path mount) {
        if (mounted(mount)) {
            Result r = run(List.of("fusermount3", "-u", mount.toString()));
            if (r.code() != 0) {
                LOG.warnf("fusermount3 -u %s: %s", mount, r.out().trim());
                return;
            }
        }
        try {
            if (Files.isDirectory(mount, LinkOption.NOFOLLOW_LINKS)) {
                Files.delete(mount);
            }
        } catch (IOException e) {
            LOG.debugf("cannot remove %s: %s", mount, e.getMessage());
        }
    }

    static boolean mounted(Path dir) {
        try {
            String target = dir.toAbsolutePath().toString();
            for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
                String[] f = line.split(" ");
                if (f.length > 1 && f[1].replace("\\040", " ").equals(target)) {
                    return true;
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /** The file a loop device is set up over, if it is set up. */
    static Optional<String> backingFile(String loop) {
        Path f = Path.of("/sys/block", Path.of(loop).getFileName().toString(), "loop", "backing_file");
        try {
            return Files.exists(f) ? Optional.of(Files.readString(f).trim()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static boolean onPath(String tool) {
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("") + ":/usr/sbin:/sbin";
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    record Result(int code, String out) {
    }

    private static Result run(List<String> cmd) {
        List<String> full = new ArrayList<>(cmd);
        if (!cmd.getFirst().contains("/")) {
            for (String dir : (Optional.ofNullable(System.getenv("PATH")).orElse("") + ":/usr/sbin:/sbin").split(":")) {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, cmd.getFirst()))) {
                    full.set(0, Path.of(dir, cmd.getFirst()).toString());
                    break;
                }
            }
        }
        try {
            Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, String.join(" ", cmd) + " did not finish");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(-1, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }

    /** host, port and export name of {@code nbd://host:port/export}. */
    record URIParts(String host, int port, String export) {
        static URIParts parse(String url) throws DeviceException {
            java.net.URI u = java.net.URI.create(url);
            if (!"nbd".equals(u.getScheme()) || u.getHost() == null || u.getPort() < 0) {
                throw new DeviceException("not an NBD export: " + url);
            }
            String path = u.getPath() == null ? "" : u.getPath();
            return new URIParts(u.getHost(), u.getPort(), path.startsWith("/") ? path.substring(1) : path);
        }

        @Override
        public String toString() {
            return "nbd://" + host + ":" + port + "/" + export;
        }
    }
}
