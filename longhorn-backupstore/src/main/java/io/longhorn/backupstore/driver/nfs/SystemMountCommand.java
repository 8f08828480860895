package io.longhorn.backupstore.driver.nfs;

import io.longhorn.backupstore.error.TargetIOException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs mount(8) and umount(8), and reads /proc/self/mountinfo. */
public final class SystemMountCommand implements MountCommand {
    private static final long TIMEOUT_SECONDS = 120;
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    /** The mount(8) command line, e.g. {@code mount -t nfs4 -o soft,timeo=300 srv:/x /mnt/p}. */
    public static List<String> mountArgv(String source, Path mountPoint, String fsType, List<String> options) {
        List<String> argv = new ArrayList<>(List.of("mount", "-t", fsType));
        if (!options.isEmpty()) {
            argv.add("-o");
            argv.add(String.join(",", options));
        }
        argv.add(source);
        argv.add(mountPoint.toString());
        return argv;
    }

    @Override
    public void mount(String source, Path mountPoint, String fsType, List<String> options) {
        run(mountArgv(source, mountPoint, fsType, options), "mount " + source + " on " + mountPoint);
    }

    @Override
    public void unmount(Path mountPoint) {
        run(List.of("umount", mountPoint.toString()), "unmount " + mountPoint);
    }

    @Override
    public boolean isMounted(Path mountPoint) {
        try {
            return isMountPointIn(Files.readString(MOUNTINFO), mountPoint);
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether {@code mountinfo} (the format of /proc/self/mountinfo) lists {@code mountPoint}. */
    static boolean isMountPointIn(String mountinfo, Path mountPoint) {
        String want = mountPoint.toAbsolutePath().normalize().toString();
        for (String line : mountinfo.split("\n")) {
            String[] f = line.split(" ");
            // field 5 is the mount point, with spaces and such escaped as octal \040
            if (f.length > 4 && unescape(f[4]).equals(want)) {
                return true;
            }
        }
        return false;
    }

    private static String unescape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static void run(List<String> argv, String what) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            p.getOutputStream().close();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new TargetIOException("cannot " + what + ": " + argv.getFirst() + " did not finish in "
                        + TIMEOUT_SECONDS + " s");
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.exitValue() != 0) {
                throw new TargetIOException("cannot " + what + ": " + String.join(" ", argv) + " exited with "
                        + p.exitValue() + (out.isEmpty() ? "" : ": " + out));
            }
        } catch (IOException e) {
            throw new TargetIOException("cannot " + what + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TargetIOException("cannot " + what + ": interrupted", e);
        }
    }
}
