package io.longhorn.backupstore.format;

import io.longhorn.backupstore.error.CorruptDataException;
import io.longhorn.backupstore.error.InvalidInputException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4FrameInputStream;
import net.jpountz.lz4.LZ4FrameOutputStream;
import net.jpountz.lz4.LZ4SafeDecompressor;
import net.jpountz.xxhash.XXHash32;
import net.jpountz.xxhash.XXHashFactory;

/**
 * How blocks are stored: {@code lz4} (the LZ4 frame format, as upstream writes it), {@code gzip},
 * or {@code none}. The method is chosen per backup volume at its first backup.
 */
public enum Compression {
    NONE("none"),
    LZ4("lz4"),
    GZIP("gzip");

    private final String method;

    Compression(String method) {
        this.method = method;
    }

    /** The name stored in the cfg files. */
    public String method() {
        return method;
    }

    /**
     * Parses a method name; null or empty means the default, lz4.
     *
     * @throws InvalidInputException naming the value when it is not a method we know
     */
    public static Compression parse(String method) {
        if (method == null || method.isBlank()) {
            return LZ4;
        }
        for (Compression c : values()) {
            if (c.method.equalsIgnoreCase(method.trim())) {
                return c;
            }
        }
        throw new InvalidInputException("invalid compression method \"" + method + "\": use lz4, gzip or none");
    }

    /** Compresses {@code data[0, length)}. */
    public byte[] compress(byte[] data, int length) {
        if (this == NONE) {
            return Arrays.copyOf(data, length);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(this == LZ4 ? length / 2 + 64 : length / 2);
        try (OutputStream s = wrap(out)) {
            s.write(data, 0, length);
        } catch (IOException e) {
            throw new IllegalStateException("compressing in memory failed", e);
        }
        return out.toByteArray();
    }

    private OutputStream wrap(OutputStream out) throws IOException {
        return switch (this) {
            // 256 KiB frame blocks: lz4's window is 64 KiB, so larger blocks would not compress
            // better, but would make the stream allocate larger buffers for every 2 MiB block.
            case LZ4 -> new LZ4FrameOutputStream(out, LZ4FrameOutputStream.BLOCKSIZE.SIZE_256KB, -1L,
                    Lz4.COMPRESSOR, Lz4.HASH, LZ4FrameOutputStream.FLG.Bits.BLOCK_INDEPENDENCE);
            case GZIP -> new GZIPOutputStream(out, 64 * 1024);
            case NONE -> out;
        };
    }

    /**
     * Decompresses a stored block into {@code into}, returning the raw length.
     *
     * @param what names the block in errors
     * @throws CorruptDataException when the data cannot be decoded or is larger than {@code into}
     */
    public int decompress(byte[] stored, byte[] into, String what) {
        if (this == NONE) {
            if (stored.length > into.length) {
                throw new CorruptDataException(what + " is " + stored.length + " bytes, larger than a block");
            }
            System.arraycopy(stored, 0, into, 0, stored.length);
            return stored.length;
        }
        try (InputStream in = this == LZ4
                ? new LZ4FrameInputStream(new ByteArrayInputStream(stored), Lz4.DECOMPRESSOR, Lz4.HASH)
                : new GZIPInputStream(new ByteArrayInputStream(stored), 64 * 1024)) {
            int n = in.readNBytes(into, 0, into.length);
            if (in.read() != -1) {
                throw new CorruptDataException(what + " decompresses to more than a block");
            }
            return n;
        } catch (IOException | RuntimeException e) {
            if (e instanceof CorruptDataException c) {
                throw c;
            }
            throw new CorruptDataException(what + " cannot be decompressed as " + method + ": " + e.getMessage(), e);
        }
    }

    /**
     * lz4's C implementation, through JNI, where its library loads; else the Java port. The
     * library's own "fastest" choice takes the Java port whenever it is not loaded by the system
     * class loader (as in the packaged service), and that compresses at a third of the speed: the
     * largest CPU cost of a backup of compressible data. Both write the same frame format (the
     * flags are those the library's default constructor writes: independent blocks only), and the
     * block checksum is of the raw data, so stored blocks stay interchangeable.
     */
    private static final class Lz4 {
        static final LZ4Compressor COMPRESSOR;
        static final LZ4SafeDecompressor DECOMPRESSOR;
        static final XXHash32 HASH;

        static {
            LZ4Factory lz4;
            XXHashFactory xxhash;
            try {
                lz4 = LZ4Factory.nativeInstance();
                xxhash = XXHashFactory.nativeInstance();
            } catch (Throwable e) { // no library for this platform, or loaded by another class loader
                lz4 = LZ4Factory.fastestJavaInstance();
                xxhash = XXHashFactory.fastestJavaInstance();
            }
            COMPRESSOR = lz4.fastCompressor();
            DECOMPRESSOR = lz4.safeDecompressor();
            HASH = xxhash.hash32();
        }

        private Lz4() {
        }
    }
}
