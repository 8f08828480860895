package io.longhorn.csi.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A QEMU VM booting Debian's 6.12 cloud kernel (software emulation: the host's /dev/kvm cannot be
 * relied on) with the initramfs of {@code bin/lib/test-vm-image} (and, to run a program in Java, of
 * {@code bin/lib/test-vm-java}): one CPU, 1 GiB, a virtio NIC on QEMU's user network (the guest
 * reaches the host's loopback, see that script), the guest's command channel forwarded to a free port on the host's 127.0.0.1 only, the console in a file. Stopped by
 * its pid; it also powers itself off after {@code lifetime} whatever happens to the test.
 */
final class TestVm implements AutoCloseable {
    private final Process qemu;
    private final Path console;
    private final InetSocketAddress channel;
    private final List<String> binaries;

    private TestVm(Process qemu, Path console, InetSocketAddress channel, List<String> binaries) {
        this.qemu = qemu;
        this.console = console;
        this.channel = channel;
        this.binaries = binaries;
    }

    /** The boot files, built or taken from the cache; fails saying what to install when a tool is missing. */
    static Path image(Path root, Path log) throws Exception {
        return script(root, List.of("bin/lib/test-vm-image"), log);
    }

    /**
     * The boot files of {@code image} with Java in the guest ({@code bin/lib/test-vm-java}): a
     * {@code java.base} runtime at {@code /jre} and the contents of {@code classDirs} at
     * {@code /classes}, written to {@code out}.
     */
    static Path withJava(Path root, Path image, Path out, List<Path> classDirs, Path log) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bin/lib/test-vm-java", image.toString(), out.toString()));
        classDirs.forEach(d -> cmd.add(d.toString()));
        return script(root, cmd, log);
    }

    /** Runs one of the image scripts with this JVM's JDK; the directory it printed last. */
    private static Path script(Path root, List<String> cmd, Path log) throws Exception {
        List<String> full = new ArrayList<>(cmd);
        full.set(0, root.resolve(cmd.getFirst()).toString());
        ProcessBuilder pb = new ProcessBuilder(full).redirectError(log.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail(cmd.getFirst() + " did not finish within 10 minutes; its output in " + log);
        }
        if (p.exitValue() != 0) {
            fail(cmd.getFirst() + " failed (exit " + p.exitValue() + "): " + Files.readString(log).trim());
        }
        String[] lines = out.split("\n");
        return Path.of(lines[lines.length - 1].trim());
    }

    /** Starts QEMU; {@link #awaitReady} waits for the guest. */
    static TestVm start(Path image, Path workDir, Duration lifetime) throws Exception {
        String qemuBinary = "qemu-system-x86_64";
        if (!onPath(qemuBinary)) {
            fail(qemuBinary + " is missing: install the Debian package qemu-system-x86 (bin/test-all does)");
        }
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path console = workDir.resolve("vm-console.log");
        Files.deleteIfExists(console);
        Path qemuLog = workDir.resolve("vm-qemu.log");
        Process qemu = new ProcessBuilder(qemuBinary, "-accel", "tcg", "-M", "pc", "-m", "1024", "-smp", "1",
                "-nodefaults", "-no-reboot", "-display", "none",
                "-kernel", image.resolve("vmlinuz").toString(), "-initrd", image.resolve("initramfs.cpio").toString(),
                "-append", "console=ttyS0 quiet panic=-1 LONGHORN_VM_LIFETIME=" + lifetime.toSeconds(),
                "-serial", "file:" + console,
                "-netdev", "user,id=n0,hostfwd=tcp:127.0.0.1:" + port + "-:7777",
                "-device", "virtio-net-pci,netdev=n0")
                .redirectErrorStream(true).redirectOutput(qemuLog.toFile()).start();
        qemu.getOutputStream().close();
        List<String> binaries = Files.readAllLines(image.resolve("binaries")).stream().filter(l -> !l.isBlank()).toList();
        return new TestVm(qemu, console, new InetSocketAddress("127.0.0.1", port), binaries);
    }

    /** Waits for the guest's ready line; fails with the console when QEMU ends or the boot takes too long. */
    void awaitReady(Duration within) throws Exception {
        Instant deadline = Instant.now().plus(within);
        while (Instant.now().isBefore(deadline)) {
            String text = consoleText();
            if (text.contains("LONGHORN-VM-READY")) {
                if (!text.contains("nbd=yes")) {
                    fail("the VM's kernel has no nbd module; console: " + text);
                }
                return;
            }
            if (!qemu.isAlive()) {
                fail("QEMU exited with " + qemu.exitValue() + " before the guest was ready; console: " + text
                        + "; QEMU: " + Files.readString(console.resolveSibling("vm-qemu.log")).trim());
            }
            Thread.sleep(200);
        }
        fail("the VM was not ready within " + within.toSeconds() + " s; console: " + consoleText());
    }

    String consoleText() throws IOException {
        return Files.exists(console) ? Files.readString(console) : "";
    }

    GuestNodeHost node() {
        return new GuestNodeHost(channel, binaries);
    }

    long pid() {
        return qemu.pid();
    }

    static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() throws InterruptedException {
        if (qemu.isAlive()) {
            qemu.destroy();
            if (!qemu.waitFor(10, TimeUnit.SECONDS)) {
                qemu.destroyForcibly();
                qemu.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
