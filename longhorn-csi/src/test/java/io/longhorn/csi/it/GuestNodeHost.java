package io.longhorn.csi.it;

import io.longhorn.csi.Errors;
import io.longhorn.csi.Exec;
import io.longhorn.csi.NbdNetlink;
import io.longhorn.csi.NodeHost;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The test VM as the driver's node: every program the Node service runs and every file it reads or
 * writes is run, read or written in the guest, through the command channel its {@code /init} serves
 * (see {@code bin/lib/test-vm-image}): one connection per command, the shell script sent, then
 * {@code rc=N} and the output back.
 *
 * <p>The guest's shell is busybox's, which prefers its own applets to programs of the same name;
 * a command whose program the image carries ({@code binaries}) is run by that program's full path, so
 * that {@code mount}, {@code blkid} or {@code stat} are util-linux's and coreutils', as on a node.
 */
final class GuestNodeHost implements NodeHost {
    private final InetSocketAddress channel;
    private final Map<String, String> programs;

    GuestNodeHost(InetSocketAddress channel, List<String> binaries) {
        this.channel = channel;
        this.programs = binaries.stream().collect(Collectors.toMap(b -> Path.of(b).getFileName().toString(), b -> b,
                (a, b) -> a));
    }

    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    String command(List<String> cmd) {
        List<String> words = new ArrayList<>(cmd);
        String program = words.getFirst();
        if (!program.contains("/") && programs.containsKey(program)) {
            words.set(0, programs.get(program));
        }
        return words.stream().map(GuestNodeHost::quote).collect(Collectors.joining(" "));
    }

    /** Runs a shell script in the guest: its exit code and output (not trimmed). */
    Exec.Result shell(String script, int timeoutSeconds) {
        try (Socket s = new Socket()) {
            s.connect(channel, 10_000);
            s.setSoTimeout(timeoutSeconds * 1000);
            OutputStream out = s.getOutputStream();
            out.write(script.getBytes(StandardCharsets.UTF_8));
            out.flush();
            s.shutdownOutput();
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int nl = answer.indexOf('\n');
            if (!answer.startsWith("rc=") || nl < 0) {
                return new Exec.Result(-1, "the guest's command channel answered " + answer + " to: " + script);
            }
            return new Exec.Result(Integer.parseInt(answer.substring(3, nl).trim()), answer.substring(nl + 1));
        } catch (SocketTimeoutException e) {
            return new Exec.Result(-1, script + ": did not finish in the guest within " + timeoutSeconds + " s");
        } catch (IOException e) {
            return new Exec.Result(-1, script + ": the guest's command channel " + channel + " failed: " + e.getMessage());
        }
    }

    /** Runs a shell script in the guest and returns its output; throws when it fails. */
    String shellCheck(String script) {
        Exec.Result r = shell(script, 120);
        if (!r.ok()) {
            throw new IllegalStateException("in the guest: " + script + " failed (exit " + r.code() + "): " + r.output());
        }
        return r.output();
    }

    @Override
    public Exec.Result run(List<String> cmd, int timeoutSeconds) {
        Exec.Result r = shell(command(cmd), timeoutSeconds);
        return new Exec.Result(r.code(), r.output().trim());
    }

    @Override
    public Background start(List<String> cmd, Path log) throws IOException {
        Path rc = Path.of(log + ".rc");
        Exec.Result r = shell("( " + command(cmd) + "; echo $? > " + quote(rc.toString()) + " ) > " + quote(log.toString())
                + " 2>&1 < /dev/null &\necho $!\n", 30);
        if (!r.ok()) {
            throw new IOException("cannot start " + cmd + " in the guest: " + r.output());
        }
        long pid = Long.parseLong(r.output().trim());
        return new Background() {
            @Override
            public boolean alive() {
                return exists(Path.of("/proc/" + pid)) && !exists(rc);
            }

            @Override
            public int exitCode() {
                try {
                    return Integer.parseInt(read(rc).trim());
                } catch (IOException | NumberFormatException e) {
                    throw new IllegalStateException(cmd + " in the guest left no exit code in " + rc + ": " + e.getMessage());
                }
            }
        };
    }

    @Override
    public void stop(long pid, String program) {
        shell("[ \"$(cat /proc/" + pid + "/comm 2>/dev/null)\" = " + quote(program) + " ] || exit 0\n"
                + "kill " + pid + "\n"
                + "for i in $(seq 1 100); do [ -d /proc/" + pid + " ] || exit 0; sleep 0.1; done\n"
                + "kill -9 " + pid + "\n", 30);
    }

    /**
     * Runs {@link io.longhorn.csi.NbdNetlink}'s {@code main} in the guest, on the {@code java.base}
     * runtime and classes that {@code bin/lib/test-vm-java} put into the VM's initramfs.
     */
    @Override
    public void resizeNbd(String device, long bytes) {
        String java = "/jre/bin/java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC --enable-native-access=ALL-UNNAMED -cp /classes";
        Exec.Result r = shell("[ -x /jre/bin/java ] || { echo 'the guest has no Java runtime (boot it with bin/lib/test-vm-java)'; exit 127; }\n"
                + java + " " + NbdNetlink.class.getName() + " resize " + quote(device) + " " + bytes + "\n", 180);
        if (!r.ok()) {
            throw Errors.internal("cannot set the size of " + device + " to " + bytes + " bytes in the guest (exit " + r.code()
                    + "): " + r.output().trim());
        }
    }

    @Override
    public boolean exists(Path path) {
        return shell("[ -e " + quote(path.toString()) + " ]", 30).ok();
    }

    @Override
    public boolean isDirectory(Path path) {
        return shell("[ -d " + quote(path.toString()) + " ]", 30).ok();
    }

    @Override
    public String read(Path path) throws IOException {
        Exec.Result r = shell("cat " + quote(path.toString()), 30);
        if (!r.ok()) {
            throw new IOException("cannot read " + path + " in the guest: " + r.output().trim());
        }
        return r.output();
    }

    @Override
    public void write(Path path, String content) throws IOException {
        Exec.Result r = shell("printf '%s' " + quote(content) + " > " + quote(path.toString()), 30);
        if (!r.ok()) {
            throw new IOException("cannot write " + path + " in the guest: " + r.output().trim());
        }
    }

    @Override
    public void createDirectories(Path dir) throws IOException {
        Exec.Result r = shell("mkdir -p " + quote(dir.toString()), 30);
        if (!r.ok()) {
            throw new IOException("cannot create " + dir + " in the guest: " + r.output().trim());
        }
    }

    @Override
    public void createFile(Path file) throws IOException {
        String q = quote(file.toString());
        Exec.Result r = shell("[ -e " + q + " ] || : > " + q, 30);
        if (!r.ok()) {
            throw new IOException("cannot create " + file + " in the guest: " + r.output().trim());
        }
    }

    @Override
    public void deleteIfExists(Path path) throws IOException {
        String q = quote(path.toString());
        Exec.Result r = shell("if [ -d " + q + " ] && [ ! -L " + q + " ]; then rmdir " + q + "; else rm -f " + q + "; fi", 30);
        if (!r.ok()) {
            throw new IOException("cannot remove " + path + " in the guest: " + r.output().trim());
        }
    }

    @Override
    public void deleteTree(Path dir) throws IOException {
        Exec.Result r = shell("rm -rf " + quote(dir.toString()), 60);
        if (!r.ok()) {
            throw new IOException("cannot remove " + dir + " in the guest: " + r.output().trim());
        }
    }
}
