import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Writes one service's container image as a {@code docker-archive} tarball (manifest.json, the
 * config JSON and uncompressed tar layers) that {@code ctr -n k8s.io images import} and
 * {@code docker load} read. No daemon and no registry: every layer is made from files on this
 * machine.
 *
 * <pre>
 * java ImageBuilder.java --service=replica --version=0.1.0-SNAPSHOT \
 *     --app=longhorn-replica/target/quarkus-app --out=longhorn-replica/target/image \
 *     --cache=target/image-base [--tools=nbdfuse,losetup,...] [--env=NAME=VALUE]...
 * </pre>
 *
 * Layers, from the bottom:
 * <ol>
 *   <li>runtime: a Java runtime made by {@code jlink} from this JDK (at /opt/java), the C
 *   libraries it links against (found with {@code ldd}), busybox (a static shell as /bin/sh, the
 *   usual commands in /opt/busybox/bin, last on the PATH), /tmp, /etc/passwd and the entrypoint script /opt/longhorn/launch. The same bytes for
 *   every service, so a node stores it once.</li>
 *   <li>tools (only with {@code --tools}): the named host programs at their host paths with the
 *   libraries they need.</li>
 *   <li>the application's dependencies (quarkus-app/lib), which change least often;</li>
 *   <li>Quarkus' generated classes (quarkus-app/quarkus);</li>
 *   <li>the application itself (quarkus-app/app and quarkus-run.jar).</li>
 * </ol>
 * An application that is not a Quarkus one (the test S3 store) gives a directory holding one jar
 * (its manifest's Class-Path pointing into lib/) beside lib/: the jar becomes /app/app.jar, and
 * there is no layer of generated classes.
 * Reproducible: entries are sorted by name, owned by root, dated at the epoch, and the config
 * carries no build time; the same inputs give the same bytes and digests. The runtime and tools
 * layers are cached under {@code --cache}, keyed by their inputs.
 */
public final class ImageBuilder {
    static final String REPOSITORY = "longhorn-java/longhorn-";
    static final String EPOCH = "1970-01-01T00:00:00Z";
    static final String JAVA_DIR = "opt/java";
    static final String LIB_DIR = "usr/lib/x86_64-linux-gnu";
    /** busybox's commands come last: a real program of the same name (mount, losetup) wins. */
    static final String BUSYBOX_DIR = "opt/busybox/bin";
    static final List<String> PATH = List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin",
            "/" + BUSYBOX_DIR);
    /** The modules the services need (checked with jdeps) and a few more for diagnosis. */
    static final List<String> MODULES = List.of("java.base", "java.compiler", "java.datatransfer", "java.desktop",
            "java.instrument", "java.logging", "java.management", "java.management.rmi", "java.naming",
            "java.net.http", "java.prefs", "java.rmi", "java.scripting", "java.security.jgss", "java.security.sasl",
            "java.sql", "java.sql.rowset", "java.transaction.xa", "java.xml", "java.xml.crypto", "jdk.charsets",
            "jdk.crypto.cryptoki", "jdk.crypto.ec", "jdk.httpserver", "jdk.jfr", "jdk.management", "jdk.management.jfr",
            "jdk.naming.dns", "jdk.net", "jdk.nio.mapmode", "jdk.security.auth", "jdk.security.jgss", "jdk.unsupported",
            "jdk.zipfs");
    /**
     * JDK libraries only a program with a display or sound loads: their X11 and ALSA libraries are
     * not collected (a headless service never loads them; the rest of java.desktop, java.beans for
     * one, is used).
     */
    static final Set<String> DESKTOP_LIBRARIES = Set.of("libawt_xawt.so", "libjawt.so", "libsplashscreen.so",
            "libjsound.so");
    /**
     * The entrypoint; {@code @SERVER_OPTIONS@} becomes the options of bin/lib/server-jvm-options
     * ({@code --jvm-options}), the same the launchers give a server.
     */
    static final String LAUNCH = """
            #!/bin/sh
            # Starts the service in /app with the options of the launchers' server start (a small heap
            # that grows with the load, the serial collector) and the start-up cache /app/app.aot when
            # the image has one. LONGHORN_JAVA_OPTS comes last, so options there win.
            aot=
            [ -f /app/app.aot ] && aot=-XX:AOTCache=/app/app.aot
            jar=/app/quarkus-run.jar
            [ -f "$jar" ] || jar=/app/app.jar
            # shellcheck disable=SC2086 # both are lists of options
            exec /opt/java/bin/java --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \\
                @SERVER_OPTIONS@ $aot $LONGHORN_JAVA_OPTS -jar "$jar" "$@"
            """;

    public static void main(String[] args) throws Exception {
        Map<String, List<String>> opts = parse(args);
        if (opts.containsKey("binary")) {
            binaryImages(opts);
            return;
        }
        String service = one(opts, "service");
        String version = one(opts, "version");
        Path app = Path.of(one(opts, "app")).toAbsolutePath();
        Path out = Path.of(one(opts, "out")).toAbsolutePath();
        Path cache = Path.of(one(opts, "cache")).toAbsolutePath();
        List<String> tools = opts.getOrDefault("tools", List.of()).stream()
                .flatMap(t -> Stream.of(t.split(","))).map(String::strip).filter(t -> !t.isEmpty()).sorted().distinct().toList();
        List<String> env = opts.getOrDefault("env", List.of());
        boolean quarkus = Files.isRegularFile(app.resolve("quarkus-run.jar"));
        Path plainJar = quarkus ? null : plainJar(app);
        long start = System.nanoTime();
        Files.createDirectories(out);
        Files.createDirectories(cache);
        Path javaHome = Path.of(System.getProperty("java.home"));

        List<Layer> layers = new ArrayList<>();
        layers.add(runtimeLayer(javaHome, cache, launchScript(Path.of(one(opts, "jvm-options")))));
        if (!tools.isEmpty()) {
            layers.add(toolsLayer(tools, cache));
        }
        layers.add(dirLayer("lib", app.resolve("lib"), "app/lib", out));
        Tree appTree = new Tree();
        if (quarkus) {
            layers.add(dirLayer("quarkus", app.resolve("quarkus"), "app/quarkus", out));
            appTree.addDir(app.resolve("app"), "app/app");
            appTree.file("app/quarkus-run.jar", app.resolve("quarkus-run.jar"), 0644);
        } else {
            appTree.file("app/app.jar", plainJar, 0644);
        }
        layers.add(appTree.write("app", out.resolve("layer-app.tar")));

        String tag = REPOSITORY + service + ":" + version;
        String config = config(service, version, layers, env);
        Path archive = out.resolve("longhorn-" + service + ".tar");
        writeArchive(archive, tag, config, layers);
        for (Layer l : layers) {
            if (l.file.startsWith(out)) {
                Files.deleteIfExists(l.file);
            }
        }
        System.out.printf("image %s: %s (%d MiB, %d layers, %.1f s)%n", tag, archive,
                Files.size(archive) >> 20, layers.size(), (System.nanoTime() - start) / 1e9);
    }

    /**
     * {@code --binary=NAME=PATH@TAG ... --out=DIR}: an image per static program (the CSI sidecars,
     * built from their upstream sources elsewhere): one layer holding {@code /NAME} (PATH may be
     * xz-compressed), entrypoint {@code /NAME}, written to {@code DIR/NAME.tar} and tagged TAG.
     * A PATH that does not exist is reported and skipped (the programs come from a kit beside the
     * clone; the tests that run these images fail without them).
     */
    static void binaryImages(Map<String, List<String>> opts) throws IOException, InterruptedException {
        Path out = Path.of(one(opts, "out")).toAbsolutePath();
        Files.createDirectories(out);
        for (String spec : opts.get("binary")) {
            int eq = spec.indexOf('=');
            int at = spec.lastIndexOf('@');
            if (eq <= 0 || at < eq) {
                throw new IllegalArgumentException("--binary " + spec + ": expected NAME=PATH@TAG");
            }
            String name = spec.substring(0, eq);
            Path source = Path.of(spec.substring(eq + 1, at));
            String tag = spec.substring(at + 1);
            if (!Files.isRegularFile(source)) {
                System.out.printf("image %s: skipped, no program at %s%n", tag, source);
                continue;
            }
            long start = System.nanoTime();
            Path program = out.resolve(name + ".bin");
            if (source.getFileName().toString().endsWith(".xz")) {
                Process xz = new ProcessBuilder("xz", "-dc", source.toString()).redirectOutput(program.toFile()).start();
                if (!xz.waitFor(5, TimeUnit.MINUTES) || xz.exitValue() != 0) {
                    throw new IOException("xz -dc " + source + " failed");
                }
            } else {
                Files.copy(source, program, StandardCopyOption.REPLACE_EXISTING);
            }
            Tree t = new Tree();
            t.file(name, program, 0755);
            t.dir("tmp", 01777);
            Layer layer = t.write(name, out.resolve("layer-" + name + ".tar"));
            String config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":" + json(EPOCH)
                    + ",\"config\":{\"Entrypoint\":[" + json("/" + name) + "],\"WorkingDir\":\"/\"}"
                    + ",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" + json(layer.diffId) + "]}"
                    + ",\"history\":[{\"created\":" + json(EPOCH) + ",\"created_by\":" + json("longhorn image builder: " + name)
                    + "}]}";
            Path archive = out.resolve(name + ".tar");
            writeArchive(archive, tag, config, List.of(layer));
            Files.deleteIfExists(layer.file);
            Files.deleteIfExists(program);
            System.out.printf("image %s: %s (%d MiB, 1 layer, %.1f s)%n", tag, archive, Files.size(archive) >> 20,
                    (System.nanoTime() - start) / 1e9);
        }
    }

    /** The one jar of a plain application directory (the jar, with its Class-Path in lib/). */
    static Path plainJar(Path app) throws IOException {
        List<Path> jars;
        try (Stream<Path> s = Files.list(app)) {
            jars = s.filter(f -> f.getFileName().toString().endsWith(".jar") && Files.isRegularFile(f)).toList();
        } catch (java.nio.file.NoSuchFileException e) {
            jars = List.of();
        }
        if (jars.size() != 1 || !Files.isDirectory(app.resolve("lib"))) {
            throw new IllegalArgumentException("--app " + app + " holds neither quarkus-run.jar nor one jar beside lib/:"
                    + " package the service first");
        }
        return jars.getFirst();
    }

    /** The entrypoint with the server options of {@code optionsFile} (one per line, # comments). */
    static String launchScript(Path optionsFile) throws IOException {
        List<String> options = Files.readAllLines(optionsFile).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        for (String o : options) {
            if (!o.matches("-[-A-Za-z0-9:+=._/]+")) {
                throw new IllegalArgumentException(optionsFile + ": \"" + o + "\" is not a JVM option a shell can take as is");
            }
        }
        return LAUNCH.replace("@SERVER_OPTIONS@", String.join(" ", options));
    }

    // ---- layers

    record Layer(String name, Path file, String diffId, long size) {
    }

    /** The jlink runtime, its libraries, busybox and the entrypoint; cached by its inputs. */
    static Layer runtimeLayer(Path javaHome, Path cache, String launch) throws IOException, InterruptedException {
        Path busybox = which("busybox", "busybox-static");
        List<String> modules = available(javaHome, MODULES);
        String key = sha256(String.join("\n", Files.readString(javaHome.resolve("release")), javaHome.toString(),
                String.join(",", modules), stamp(busybox), launch, "v2"));
        Path cached = cache.resolve("runtime-" + key.substring(0, 16) + ".tar");
        if (Files.isRegularFile(cached)) {
            return cachedLayer("runtime", cached);
        }
        Path work = Files.createTempDirectory(cache, "runtime.");
        try {
            Path jre = work.resolve("java");
            run(List.of(javaHome.resolve("bin/jlink").toString(), "--add-modules", String.join(",", modules),
                    "--strip-debug", "--no-man-pages", "--no-header-files", "--output", jre.toString()));
            Tree t = new Tree();
            t.addDir(jre, JAVA_DIR);
            List<Path> elves = new ArrayList<>();
            try (Stream<Path> s = Files.walk(jre)) {
                s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && isElf(p))
                        .filter(p -> !DESKTOP_LIBRARIES.contains(p.getFileName().toString())).sorted().forEach(elves::add);
            }
            addLibraries(t, elves, jre);
            baseFiles(t, busybox, launch);
            return t.write("runtime", cached);
        } finally {
            deleteTree(work);
        }
    }

    /** Host programs at their host paths, with the libraries ldd finds for them. */
    static Layer toolsLayer(List<String> tools, Path cache) throws IOException, InterruptedException {
        List<Path> programs = new ArrayList<>();
        StringBuilder stamps = new StringBuilder("v1");
        for (String tool : tools) {
            Path p = which(tool, null);
            programs.add(p);
            stamps.append('\n').append(tool).append(' ').append(p).append(' ').append(stamp(p));
        }
        String key = sha256(stamps.toString());
        Path cached = cache.resolve("tools-" + key.substring(0, 16) + ".tar");
        if (Files.isRegularFile(cached)) {
            return cachedLayer("tools", cached);
        }
        Tree t = new Tree();
        for (int i = 0; i < tools.size(); i++) {
            Path p = programs.get(i);
            // The program at the path the PATH finds it; a symlink (mkfs.ext4 -> mke2fs) stays one.
            String at = usrPath(p);
            if (Files.isSymbolicLink(p)) {
                Path target = p.toRealPath();
                t.symlink(at, Files.readSymbolicLink(p).toString());
                t.file(usrPath(target), target, 0755);
            } else {
                t.file(at, p.toRealPath(), 0755);
            }
        }
        List<Path> real = new ArrayList<>();
        for (Path p : programs) {
            real.add(p.toRealPath());
        }
        addLibraries(t, real, null);
        return t.write("tools", cached);
    }

    /** A directory of the application under {@code at}, as its own layer. */
    static Layer dirLayer(String name, Path dir, String at, Path out) throws IOException {
        Tree t = new Tree();
        if (Files.isDirectory(dir)) {
            t.addDir(dir, at);
        }
        return t.write(name, out.resolve("layer-" + name + ".tar"));
    }

    /** The files every image has: busybox as the shell and the usual commands, /tmp, users, entrypoint. */
    static void baseFiles(Tree t, Path busybox, String launch) throws IOException, InterruptedException {
        // Debian's merged /usr: /bin, /sbin, /lib and /lib64 point into /usr.
        t.symlink("bin", "usr/bin");
        t.symlink("sbin", "usr/sbin");
        t.symlink("lib", "usr/lib");
        t.symlink("lib64", "usr/lib64");
        t.file("usr/bin/busybox", busybox.toRealPath(), 0755);
        t.symlink("usr/bin/sh", "busybox");
        // The other commands in a directory of their own, so no layer above replaces a link by a file.
        String applets = run(List.of(busybox.toString(), "--list"));
        for (String applet : new TreeSet<>(List.of(applets.split("\n")))) {
            applet = applet.strip();
            if (!applet.isEmpty() && !applet.equals("busybox")) {
                t.symlink(BUSYBOX_DIR + "/" + applet, "/usr/bin/busybox");
            }
        }
        t.dir("tmp", 01777);
        t.dir("root", 0700);
        t.dir("dev", 0755);
        t.dir("proc", 0755);
        t.dir("sys", 0755);
        t.dir("etc", 0755);
        t.dir("var/lib/longhorn", 0755);
        t.bytes("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
                .getBytes(StandardCharsets.UTF_8), 0644);
        t.bytes("etc/group", "root:x:0:\nnogroup:x:65534:\n".getBytes(StandardCharsets.UTF_8), 0644);
        t.bytes("etc/nsswitch.conf", "passwd: files\ngroup: files\nhosts: files dns\n".getBytes(StandardCharsets.UTF_8), 0644);
        t.bytes("opt/longhorn/launch", launch.getBytes(StandardCharsets.UTF_8), 0755);
    }

    /**
     * Adds the shared libraries the ELF files need (ldd), at {@code /usr/lib/x86_64-linux-gnu/<name>}
     * and the dynamic loader at /usr/lib64; libraries inside {@code skipUnder} (the runtime's own) stay
     * where they are. A library ldd cannot find is left out: a JDK library that needs X11, say, is
     * never loaded by a headless service.
     */
    static void addLibraries(Tree t, List<Path> elves, Path skipUnder) throws IOException, InterruptedException {
        Map<String, Path> libs = new TreeMap<>();
        for (Path elf : elves) {
            Process p = new ProcessBuilder("ldd", elf.toString()).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            for (String line : text.split("\n")) {
                line = line.strip();
                String path;
                String name;
                int arrow = line.indexOf("=>");
                if (arrow >= 0) {
                    name = line.substring(0, arrow).strip();
                    String rest = line.substring(arrow + 2).strip();
                    if (!rest.startsWith("/")) {
                        continue; // "not found" or the vdso
                    }
                    path = rest.substring(0, rest.indexOf(' ') < 0 ? rest.length() : rest.indexOf(' '));
                } else if (line.startsWith("/")) {
                    path = line.substring(0, line.indexOf(' ') < 0 ? line.length() : line.indexOf(' '));
                    name = null;
                } else {
                    continue;
                }
                Path lib = Path.of(path).normalize();
                if (skipUnder != null && lib.toAbsolutePath().startsWith(skipUnder)) {
                    continue;
                }
                if (name == null) {
                    libs.put(usrPath(lib), lib); // the dynamic loader, at the path programs name
                } else {
                    libs.put(LIB_DIR + "/" + Path.of(name).getFileName(), lib);
                }
            }
        }
        for (var e : libs.entrySet()) {
            t.file(e.getKey(), e.getValue().toRealPath(), 0755);
        }
    }

    static Layer cachedLayer(String name, Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = sha();
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return new Layer(name, file, "sha256:" + HexFormat.of().formatHex(md.digest()), Files.size(file));
        }
    }

    // ---- the archive

    static String config(String service, String version, List<Layer> layers, List<String> extraEnv) {
        StringBuilder diffIds = new StringBuilder();
        StringBuilder history = new StringBuilder();
        for (Layer l : layers) {
            diffIds.append(diffIds.isEmpty() ? "" : ",").append(json(l.diffId));
            history.append(history.isEmpty() ? "" : ",").append("{\"created\":").append(json(EPOCH))
                    .append(",\"created_by\":").append(json("longhorn image builder: " + l.name)).append('}');
        }
        List<String> env = new ArrayList<>();
        env.add("PATH=" + String.join(":", PATH));
        env.add("JAVA_HOME=/opt/java");
        env.add("LD_LIBRARY_PATH=/" + LIB_DIR);
        env.addAll(extraEnv);
        StringBuilder envJson = new StringBuilder();
        for (String e : env) {
            envJson.append(envJson.isEmpty() ? "" : ",").append(json(e));
        }
        return "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":" + json(EPOCH)
                + ",\"config\":{\"Env\":[" + envJson + "],\"Entrypoint\":[\"/opt/longhorn/launch\"],\"WorkingDir\":\"/app\""
                + ",\"Labels\":{\"org.opencontainers.image.title\":" + json("longhorn-" + service)
                + ",\"org.opencontainers.image.version\":" + json(version) + "}}"
                + ",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" + diffIds + "]}"
                + ",\"history\":[" + history + "]}";
    }

    static void writeArchive(Path archive, String tag, String config, List<Layer> layers) throws IOException {
        byte[] configBytes = config.getBytes(StandardCharsets.UTF_8);
        String configName = sha256(configBytes) + ".json";
        StringBuilder layerNames = new StringBuilder();
        for (Layer l : layers) {
            layerNames.append(layerNames.isEmpty() ? "" : ",").append(json(l.diffId.substring(7) + ".tar"));
        }
        byte[] manifest = ("[{\"Config\":" + json(configName) + ",\"RepoTags\":[" + json(tag) + "],\"Layers\":["
                + layerNames + "]}]\n").getBytes(StandardCharsets.UTF_8);
        Tree t = new Tree();
        t.bytes(configName, configBytes, 0644);
        t.bytes("manifest.json", manifest, 0644);
        for (Layer l : layers) {
            t.file(l.diffId.substring(7) + ".tar", l.file, 0644);
        }
        Path tmp = archive.resolveSibling(archive.getFileName() + ".tmp");
        t.write("archive", tmp);
        Files.move(tmp, archive, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    // ---- a tree of entries written as a tar stream

    /** Entries by name; parents are added as directories; written sorted. */
    static final class Tree {
        record Entry(char type, int mode, Path source, byte[] bytes, String link) {
        }

        final TreeMap<String, Entry> entries = new TreeMap<>();

        void dir(String name, int mode) {
            parents(name);
            entries.put(name, new Entry('5', mode, null, null, null));
        }

        void file(String name, Path source, int mode) {
            parents(name);
            entries.put(name, new Entry('0', mode, source, null, null));
        }

        void bytes(String name, byte[] bytes, int mode) {
            parents(name);
            entries.put(name, new Entry('0', mode, null, bytes, null));
        }

        void symlink(String name, String target) {
            parents(name);
            entries.put(name, new Entry('2', 0777, null, null, target));
        }

        private void parents(String name) {
            int slash = name.lastIndexOf('/');
            if (slash > 0) {
                String parent = name.substring(0, slash);
                if (!entries.containsKey(parent)) {
                    parents(parent);
                    entries.put(parent, new Entry('5', 0755, null, null, null));
                }
            }
        }

        /** Adds a directory's content under {@code at}, keeping symlinks and the executable bit. */
        void addDir(Path dir, String at) throws IOException {
            dir(at, 0755);
            List<Path> all;
            try (Stream<Path> s = Files.walk(dir)) {
                all = s.sorted().toList();
            }
            for (Path p : all) {
                if (p.equals(dir)) {
                    continue;
                }
                String name = at + "/" + dir.relativize(p).toString().replace('\\', '/');
                if (Files.isSymbolicLink(p)) {
                    symlink(name, Files.readSymbolicLink(p).toString());
                } else if (Files.isDirectory(p)) {
                    dir(name, 0755);
                } else {
                    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
                    file(name, p, perms.contains(PosixFilePermission.OWNER_EXECUTE) ? 0755 : 0644);
                }
            }
        }

        Layer write(String layerName, Path file) throws IOException {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            MessageDigest md = sha();
            long size;
            try (CountingOutputStream counting = new CountingOutputStream(
                    new DigestOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16), md))) {
                TarWriter tar = new TarWriter(counting);
                for (var e : entries.entrySet()) {
                    Entry en = e.getValue();
                    switch (en.type) {
                        case '5' -> tar.entry(e.getKey() + "/", '5', en.mode, 0, null);
                        case '2' -> tar.entry(e.getKey(), '2', en.mode, 0, en.link);
                        default -> {
                            if (en.bytes != null) {
                                tar.entry(e.getKey(), '0', en.mode, en.bytes.length, null);
                                tar.content(new java.io.ByteArrayInputStream(en.bytes), en.bytes.length);
                            } else {
                                long n = Files.size(en.source);
                                tar.entry(e.getKey(), '0', en.mode, n, null);
                                try (InputStream in = Files.newInputStream(en.source)) {
                                    tar.content(in, n);
                                }
                            }
                        }
                    }
                }
                tar.finish();
                size = counting.count;
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return new Layer(layerName, file, "sha256:" + HexFormat.of().formatHex(md.digest()), size);
        }
    }

    static final class CountingOutputStream extends java.io.FilterOutputStream {
        long count;

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }

    /** POSIX tar (ustar, with pax records for names that do not fit), owner root, epoch dates. */
    static final class TarWriter {
        private final OutputStream out;

        TarWriter(OutputStream out) {
            this.out = out;
        }

        void entry(String name, char type, int mode, long size, String link) throws IOException {
            Map<String, String> pax = new LinkedHashMap<>();
            String[] split = split(name);
            if (split == null) {
                pax.put("path", name);
                split = new String[] {"", truncate(name, 100)};
            }
            if (link != null && link.getBytes(StandardCharsets.UTF_8).length > 100) {
                pax.put("linkpath", link);
                link = truncate(link, 100);
            }
            if (!pax.isEmpty()) {
                byte[] body = paxBody(pax);
                header(truncate("PaxHeaders/" + split[1], 100), "", 'x', 0644, body.length, null);
                content(new java.io.ByteArrayInputStream(body), body.length);
            }
            header(split[1], split[0], type, mode, size, link);
        }

        private static String truncate(String s, int max) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            return b.length <= max ? s : new String(b, b.length - max, max, StandardCharsets.ISO_8859_1);
        }

        /** {prefix, name} for the ustar fields, or null when the name needs a pax record. */
        private static String[] split(String name) {
            byte[] b = name.getBytes(StandardCharsets.UTF_8);
            if (b.length != name.length()) {
                return null;
            }
            if (name.length() <= 100) {
                return new String[] {"", name};
            }
            for (int i = name.indexOf('/'); i >= 0; i = name.indexOf('/', i + 1)) {
                if (i <= 155 && name.length() - i - 1 <= 100 && name.length() - i - 1 > 0) {
                    return new String[] {name.substring(0, i), name.substring(i + 1)};
                }
            }
            return null;
        }

        private static byte[] paxBody(Map<String, String> records) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (var e : records.entrySet()) {
                String rest = " " + e.getKey() + "=" + e.getValue() + "\n";
                int restLen = rest.getBytes(StandardCharsets.UTF_8).length;
                int len = restLen + 1;
                while (String.valueOf(len).length() + restLen != len) {
                    len = String.valueOf(len).length() + restLen;
                }
                b.writeBytes((len + rest).getBytes(StandardCharsets.UTF_8));
            }
            return b.toByteArray();
        }

        private void header(String name, String prefix, char type, int mode, long size, String link) throws IOException {
            byte[] h = new byte[512];
            put(h, 0, 100, name);
            octal(h, 100, 8, mode);
            octal(h, 108, 8, 0);
            octal(h, 116, 8, 0);
            octal(h, 124, 12, size);
            octal(h, 136, 12, 0);
            h[156] = (byte) type;
            if (link != null) {
                put(h, 157, 100, link);
            }
            put(h, 257, 6, "ustar");
            put(h, 263, 2, "00");
            put(h, 265, 32, "root");
            put(h, 297, 32, "root");
            octal(h, 329, 8, 0);
            octal(h, 337, 8, 0);
            put(h, 345, 155, prefix);
            for (int i = 148; i < 156; i++) {
                h[i] = ' ';
            }
            long sum = 0;
            for (byte x : h) {
                sum += x & 0xff;
            }
            String chk = String.format("%06o", sum);
            put(h, 148, 6, chk);
            h[154] = 0;
            h[155] = ' ';
            out.write(h);
        }

        void content(InputStream in, long size) throws IOException {
            byte[] buf = new byte[1 << 16];
            long left = size;
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    throw new IOException("file shrank while it was written into the image");
                }
                out.write(buf, 0, n);
                left -= n;
            }
            int pad = (int) ((512 - size % 512) % 512);
            out.write(new byte[pad]);
        }

        void finish() throws IOException {
            out.write(new byte[1024]);
        }

        private static void put(byte[] h, int off, int len, String s) {
            byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
            System.arraycopy(b, 0, h, off, Math.min(b.length, len));
        }

        private static void octal(byte[] h, int off, int len, long v) {
            String s = Long.toOctalString(v);
            if (s.length() > len - 1) {
                throw new IllegalArgumentException("value too large for a tar header: " + v);
            }
            put(h, off, len - 1, "0".repeat(len - 1 - s.length()) + s);
        }
    }

    // ---- helpers

    /** The host path of a program in /usr form ({@code /sbin/x} is stored as {@code usr/sbin/x}). */
    static String usrPath(Path p) {
        String s = p.toAbsolutePath().normalize().toString();
        for (String top : List.of("/bin/", "/sbin/", "/lib/", "/lib64/")) {
            if (s.startsWith(top)) {
                return "usr" + s;
            }
        }
        return s.substring(1);
    }

    static Path which(String program, String debianPackage) throws IOException, InterruptedException {
        for (String dir : List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")) {
            Path p = Path.of(dir, program);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        throw new IllegalStateException(program + " is not installed: the image needs it"
                + (debianPackage != null ? " (Debian package " + debianPackage + ")" : "")
                + "; bin/test-all installs the tools the images take from this machine");
    }

    static List<String> available(Path javaHome, List<String> wanted) throws IOException, InterruptedException {
        String listed = run(List.of(javaHome.resolve("bin/java").toString(), "--list-modules"));
        Set<String> have = new TreeSet<>();
        for (String line : listed.split("\n")) {
            int at = line.indexOf('@');
            have.add((at < 0 ? line : line.substring(0, at)).strip());
        }
        return wanted.stream().filter(have::contains).toList();
    }

    static String stamp(Path p) throws IOException {
        Path real = p.toRealPath();
        return real + " " + Files.size(real) + " " + Files.getLastModifiedTime(real).toMillis();
    }

    static boolean isElf(Path p) {
        try (InputStream in = Files.newInputStream(p)) {
            byte[] m = in.readNBytes(4);
            return m.length == 4 && m[0] == 0x7f && m[1] == 'E' && m[2] == 'L' && m[3] == 'F';
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    static MessageDigest sha() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(String s) {
        return sha256(s.getBytes(StandardCharsets.UTF_8));
    }

    static String sha256(byte[] b) {
        return HexFormat.of().formatHex(sha().digest(b));
    }

    static String json(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    static Map<String, List<String>> parse(String[] args) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (args[i].startsWith("--") && eq > 2) {
                m.computeIfAbsent(args[i].substring(2, eq), k -> new ArrayList<>()).add(args[i].substring(eq + 1));
                continue;
            }
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: ImageBuilder --service S --version V --app DIR --out DIR"
                        + " --cache DIR [--tools a,b] [--env N=V]; bad argument " + args[i]);
            }
            m.computeIfAbsent(args[i].substring(2), k -> new ArrayList<>()).add(args[++i]);
        }
        return m;
    }

    static String one(Map<String, List<String>> opts, String name) {
        List<String> v = opts.get(name);
        if (v == null || v.size() != 1 || v.get(0).isBlank()) {
            throw new IllegalArgumentException("--" + name + " is required once");
        }
        return v.get(0);
    }
}
