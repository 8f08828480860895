package io.longhorn.manager.launcher.process;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Reads the lines appended to a log file from an offset on. The instance's output goes to a file
 * rather than a pipe so that it keeps running (and logging) when the manager goes away.
 */
final class LogTail {
    private final Path file;
    private long offset;
    private final StringBuilder partial = new StringBuilder();
    private final Deque<String> last = new ArrayDeque<>();

    LogTail(Path file, long offset) {
        this.file = file;
        this.offset = offset;
    }

    static long size(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** The complete lines appended since the last call. */
    List<String> poll() throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        List<String> lines = new java.util.ArrayList<>();
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long len = f.length();
            if (len <= offset) {
                return lines;
            }
            byte[] buf = new byte[(int) Math.min(len - offset, 1 << 20)];
            f.seek(offset);
            f.readFully(buf);
            offset += buf.length;
            partial.append(new String(buf, StandardCharsets.UTF_8));
        }
        int nl;
        while ((nl = partial.indexOf("\n")) >= 0) {
            String line = partial.substring(0, nl);
            partial.delete(0, nl + 1);
            lines.add(line);
            last.addLast(line);
            if (last.size() > 5) {
                last.removeFirst();
            }
        }
        return lines;
    }

    /** The last few lines seen, for error messages. */
    String lastLines() {
        return String.join(" | ", last);
    }
}
