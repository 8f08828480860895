package io.longhorn.replica.control;

import io.longhorn.api.replica.ChecksumRequest;
import io.longhorn.api.replica.ChecksumResponse;
import io.longhorn.api.replica.RangeChecksum;
import io.longhorn.replica.store.Extent;
import io.longhorn.replica.store.Replica;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * SHA-256 of ranges of a layer file, so that a rebuild copies only the chunks that differ between
 * source and target (delta rebuild). Holes read as zeros, so a hole and written zeros agree. With
 * no file name, ranges of the volume as clients read it (through every layer), which a rebuild
 * compares last.
 */
final class RangeChecksums {
    static final int DEFAULT_CHUNK = 2 << 20;
    static final int MAX_CHUNK = 64 << 20;
    /** Keeps one response well under gRPC's 4 MiB message limit (about 100 bytes per range). */
    static final int MAX_RANGES = 32768;

    private RangeChecksums() {
    }

    static ChecksumResponse compute(Replica replica, ChecksumRequest req) {
        int chunk = req.getChunkSize() == 0 ? DEFAULT_CHUNK : req.getChunkSize();
        if (chunk < 0 || chunk > MAX_CHUNK) {
            throw new IllegalArgumentException("invalid chunk_size " + req.getChunkSize() + ": use 1 to " + MAX_CHUNK
                    + " bytes, or 0 for " + DEFAULT_CHUNK);
        }
        List<Extent> extents = ProtoMapping.extents(req.getExtentsList());
        long ranges = 0;
        long largest = 0;
        for (Extent e : extents) {
            ranges += (e.length() + chunk - 1) / chunk;
            largest = Math.max(largest, Math.min(e.length(), chunk));
        }
        if (ranges > MAX_RANGES) {
            throw new IllegalArgumentException("checksum request for " + req.getFile() + " covers " + ranges
                    + " ranges; ask for at most " + MAX_RANGES + " per call");
        }
        boolean volume = req.getFile().isEmpty();
        if (!volume) {
            // Fails with NOT_FOUND for an unknown file even when no extent is asked for.
            replica.fileSize(req.getFile());
        }
        MessageDigest sha = sha256();
        HexFormat hex = HexFormat.of();
        ByteBuffer buf = ByteBuffer.allocateDirect((int) largest);
        ChecksumResponse.Builder out = ChecksumResponse.newBuilder();
        for (Extent e : extents) {
            for (long pos = e.offset(); pos < e.end(); pos += chunk) {
                int len = (int) Math.min(chunk, e.end() - pos);
                buf.clear().limit(len);
                if (volume) {
                    replica.read(pos, buf);
                } else {
                    replica.readFile(req.getFile(), pos, buf);
                }
                buf.flip();
                sha.update(buf);
                out.addChecksums(RangeChecksum.newBuilder().setOffset(pos).setLength(len)
                        .setChecksum(hex.formatHex(sha.digest())));
            }
        }
        return out.build();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
