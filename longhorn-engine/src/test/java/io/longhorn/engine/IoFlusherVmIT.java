package io.longhorn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
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
 * and the engine's {@code IoFlusher} classes are appended to the VM's initramfs. The mark is made,
 * {@code PR_GET_IO_FLUSHER} says so, and a thread started afterwards inherits it. Needs
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
        Path image = image(work.resolve("vm-image.log"));
        Path initrd = initrdWithJava(image, work);
        Path console = work.resolve("console.log");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        if (!onPath("qemu-system-x86_64")) {
            fail("qemu-system-x86_64 is missing: install the Debian package qemu-system-x86 (bin/test-all does)");
        }
        Process qemu = new ProcessBuilder("qemu-system-x86_64", "-accel", "tcg", "-M", "pc", "-m", "1536", "-smp", "1",
                "-nodefaults", "-no-reboot", "-display", "none", "-kernel", image.resolve("vmlinuz").toString(),
                "-initrd", initrd.toString(), "-append", "console=ttyS0 quiet panic=-1 LONGHORN_VM_LIFETIME=300",
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
        Process p = new ProcessBuilder(ROOT.resolve("bin/lib/test-vm-image").toString()).redirectError(log.toFile()).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            fail("bin/lib/test-vm-image failed: " + Files.readString(log).trim());
        }
        String[] lines = out.split("\n");
        return Path.of(lines[lines.length - 1].trim());
    }

    /** The VM's initramfs with a second archive appended: /jre, its libraries, /classes with IoFlusher. */
    static Path initrdWithJava(Path image, Path work) throws Exception {
        Path extra = work.resolve("extra");
        Path jre = extra.resolve("jre");
        Path jlink = Path.of(System.getProperty("java.home"), "bin", "jlink");
        run(List.of(jlink.toString(), "--add-modules", "java.base", "--strip-debug", "--no-man-pages",
                "--no-header-files", "--output", jre.toString()));
        // glibc's libraries the runtime links (the initramfs has only those of the node's programs)
        for (Path bin : List.of(jre.resolve("bin/java"), jre.resolve("lib/server/libjvm.so"))) {
            for (String word : run(List.of("ldd", bin.toString())).split("\\s+")) {
                if (word.startsWith("/") && !word.startsWith(jre.toString()) && Files.exists(Path.of(word))) {
                    Path lib = Path.of(word);
                    Path to = extra.resolve("usr" + (word.startsWith("/usr/") ? word.substring(4) : word));
                    Files.createDirectories(to.getParent());
                    Files.copy(lib, to, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        Path classes = extra.resolve("classes/io/longhorn/engine");
        Files.createDirectories(classes);
        for (Path dir : List.of(Path.of("target/classes/io/longhorn/engine"), Path.of("target/test-classes/io/longhorn/engine"))) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(x -> x.getFileName().toString().startsWith("IoFlusher")
                        && x.toString().endsWith(".class")).toList()) {
                    Files.copy(f, classes.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        Path extraCpio = work.resolve("extra.cpio");
        run(List.of("sh", "-c", "cd '" + extra + "' && find . | cpio -o -H newc --quiet > '" + extraCpio + "'"));
        // The kernel unpacks concatenated archives one after the other.
        Path initrd = work.resolve("initrd.cpio");
        Files.copy(image.resolve("initramfs.cpio"), initrd, StandardCopyOption.REPLACE_EXISTING);
        try (OutputStream out = Files.newOutputStream(initrd, StandardOpenOption.APPEND)) {
            Files.copy(extraCpio, out);
        }
        return initrd;
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

    static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            fail(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
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
