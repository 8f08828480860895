package io.longhorn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The I/O flusher mark where it is permitted. This machine's root may lack {@code CAP_SYS_RESOURCE}
 * (a container), so {@link IoFlusherTest} may only see the refusal; here {@link IoFlusherTest#main}
 * runs as root with every capability in the test VM of {@code bin/lib/test-vm-image} (Debian's 6.12
 * cloud kernel under QEMU): a {@code java.base} runtime made with jlink from this JDK, its libraries,
 * and the engine's {@code IoFlusher} classes are appended to the VM's initramfs by
 * {@code bin/lib/test-vm-java}. The mark is made, {@code PR_GET_IO_FLUSHER} says so, and a thread
 * started afterwards inherits it. Needs
 * qemu-system-x86, cpio, kmod, busybox-static, nbd-client (the test fails naming what to install).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class IoFlusherVmIT {
    static final Path ROOT = Path.of(System.getProperty("longhorn.root", "..")).toAbsolutePath().normalize();

    @Test
    void asRootWithEveryCapabilityTheEngineIsMarkedAndItsThreadsInheritIt() throws Exception {
        Path work = Path.of("target/io-flusher-vm").toAbsolutePath();
        deleteTree(work);
        Files.createDirectories(work);
        Path boot = bootWithJava(image(work.resolve("vm-image.log")), work);
        Path console = work.resolve("console.log");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        if (!onPath("qemu-system-x86_64")) {
            fail("qemu-system-x86_64 is missing: install the Debian package qemu-system-x86 (bin/test-all does)");
        }
        Process qemu = new ProcessBuilder("qemu-system-x86_64", "-accel", "tcg", "-M", "pc", "-m", "1536", "-smp", "1",
                "-nodefaults", "-no-reboot", "-display", "none", "-kernel", boot.resolve("vmlinuz").toString(),
                "-initrd", boot.resolve("initramfs.cpio").toString(), "-append", "console=ttyS0 quiet panic=-1 LONGHORN_VM_LIFETIME=300",
                "-serial", "file:" + console, "-netdev", "user,id=n0,hostfwd=tcp:127.0.0.1:" + port + "-:7777",
                "-device", "virtio-net-pci,netdev=n0")
                .redirectErrorStream(true).redirectOutput(work.resolve("qemu.log").toFile()).start();
        try {
            awaitReady(qemu, console);
            String out = guest(new InetSocketAddress("127.0.0.1", port), "/jre/bin/java -XX:TieredStopAtLevel=1 "
                    + "--enable-native-access=ALL-UNNAMED -cp /classes " + IoFlusherTest.class.getName());
            assertTrue(out.startsWith("rc=0\n"), out);
            String line = out.substring("rc=0\n".length()).trim();
            assertEquals("true 0 true true marked as an I/O flusher (PR_SET_IO_FLUSHER)", line);
        } finally {
            qemu.destroy();
            if (!qemu.waitFor(10, TimeUnit.SECONDS)) {
                qemu.destroyForcibly();
                qemu.waitFor(10, TimeUnit.SECONDS);
            }
        }
        deleteTree(work);
    }

    static Path image(Path log) throws Exception {
        return script(List.of(ROOT.resolve("bin/lib/test-vm-image").toString()), log);
    }

    /**
     * The VM's boot files with Java in the guest ({@code bin/lib/test-vm-java}): a {@code java.base}
     * runtime at /jre and the IoFlusher classes at /classes.
     */
    static Path bootWithJava(Path image, Path work) throws Exception {
        Path classes = work.resolve("classes");
        Path pkg = classes.resolve("io/longhorn/engine");
        Files.createDirectories(pkg);
        for (Path dir : List.of(Path.of("target/classes/io/longhorn/engine"), Path.of("target/test-classes/io/longhorn/engine"))) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(x -> x.getFileName().toString().startsWith("IoFlusher")
                        && x.toString().endsWith(".class")).toList()) {
                    Files.copy(f, pkg.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return script(List.of(ROOT.resolve("bin/lib/test-vm-java").toString(), image.toString(),
                work.resolve("boot").toString(), classes.toString()), work.resolve("vm-java.log"));
    }

    /** Runs an image script with this JVM's JDK; the directory it printed last. */
    static Path script(List<String> cmd, Path log) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(log.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            fail(cmd.getFirst() + " failed: " + Files.readString(log).trim());
        }
        String[] lines = out.split("\n");
        return Path.of(lines[lines.length - 1].trim());
    }

    static void awaitReady(Process qemu, Path console) throws Exception {
        Instant deadline = Instant.now().plusSeconds(120);
        while (Instant.now().isBefore(deadline)) {
            String text = Files.exists(console) ? Files.readString(console) : "";
            if (text.contains("LONGHORN-VM-READY")) {
                return;
            }
            if (!qemu.isAlive()) {
                fail("QEMU exited with " + qemu.exitValue() + " before the guest was ready; console: " + text);
            }
            Thread.sleep(200);
        }
        fail("the VM was not ready within 120 s; console: " + Files.readString(console));
    }

    /** Runs a shell script in the guest over its command channel: {@code rc=N}, a newline, the output. */
    static String guest(InetSocketAddress channel, String script) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(channel, 10_000);
            s.setSoTimeout(180_000);
            s.getOutputStream().write(script.getBytes(StandardCharsets.UTF_8));
            s.shutdownOutput();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        List<Path> all = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(all::add);
        }
        for (Path p : all) {
            Files.deleteIfExists(p);
        }
    }
}
