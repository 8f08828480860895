package io.longhorn.csi;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The node's mount points from its {@code /proc/self/mountinfo}, and mount and unmount through its programs. */
public final class Mounts {
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    private final NodeHost node;

    public Mounts(NodeHost node) {
        this.node = node;
    }

    /** One mount: where, what (the device or, for a bind mount of a directory, its root) and the type. */
    public record Mount(String target, String source, String root, String fsType, String options) {
        public boolean readOnly() {
            return List.of(options.split(",")).contains("ro");
        }
    }

    public List<Mount> all() {
        List<Mount> out = new ArrayList<>();
        try {
            for (String line : node.read(MOUNTINFO).split("\n")) {
                String[] f = line.split(" ");
                int dash = List.of(f).indexOf("-");
                if (dash < 0 || f.length < dash + 3) {
                    continue;
                }
                out.add(new Mount(unescape(f[4]), unescape(f[dash + 2]), unescape(f[3]), f[dash + 1], f[5]));
            }
        } catch (IOException e) {
            throw Errors.internal("cannot read /proc/self/mountinfo: " + e.getMessage());
        }
        return out;
    }

    /** The last (visible) mount on the path, if the path is a mount point. */
    public Optional<Mount> at(Path path) {
        String p = path.toAbsolutePath().normalize().toString();
        Mount found = null;
        for (Mount m : all()) {
            if (m.target().equals(p)) {
                found = m;
            }
        }
        return Optional.ofNullable(found);
    }

    public boolean isMountPoint(Path path) {
        return at(path).isPresent();
    }

    public void mount(String source, Path target, String fsType, List<String> options) {
        List<String> cmd = new ArrayList<>(List.of("mount"));
        if (fsType != null) {
            cmd.addAll(List.of("-t", fsType));
        }
        if (!options.isEmpty()) {
            cmd.addAll(List.of("-o", String.join(",", options)));
        }
        cmd.add(source);
        cmd.add(target.toString());
        node.check(cmd);
    }

    public void bind(String source, Path target, boolean readOnly) {
        node.check(List.of("mount", "--bind", source, target.toString()));
        if (readOnly) {
            Exec.Result r = node.run(List.of("mount", "-o", "remount,bind,ro", target.toString()));
            if (!r.ok()) {
                node.run(List.of("umount", target.toString()));
                throw Errors.internal("read-only remount of " + target + " failed: " + r.output());
            }
        }
    }

    /** Unmounts every mount stacked on the path; nothing when it is not a mount point. */
    public void unmount(Path target) {
        while (isMountPoint(target)) {
            node.check(List.of("umount", target.toString()));
        }
    }

    private static String unescape(String s) {
        if (!s.contains("\\")) {
            return s;
        }
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
}
