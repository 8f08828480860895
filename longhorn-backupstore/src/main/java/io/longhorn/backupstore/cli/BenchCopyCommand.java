package io.longhorn.backupstore.cli;

import io.longhorn.backupstore.driver.s3.S3Driver;
import io.longhorn.backupstore.driver.s3.S3Location;
import io.longhorn.backupstore.driver.s3.S3Settings;
import io.longhorn.backupstore.error.InvalidInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * The benchmark's baseline for S3: a plain multipart upload of a file (parallel parts, as common
 * S3 copy tools do), or a parallel ranged download of it. Prints the elapsed milliseconds of the
 * transfer itself. Hidden: not a user command.
 */
@Command(name = "bench-copy", hidden = true, description = "Plain S3 upload/download of a file, for benchmarks.")
public class BenchCopyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--s3", required = true, paramLabel = "URL", description = "s3://bucket@region/key")
    String url;

    @Option(names = "--download", description = "Download the object into FILE instead of uploading FILE.")
    boolean download;

    @Option(names = "--part-size", defaultValue = "8388608", description = "Bytes per part.")
    int partSize;

    @Option(names = "--workers", defaultValue = "4", description = "Parts in flight.")
    int workers;

    @Parameters(index = "0", paramLabel = "FILE")
    Path file;

    @Override
    public Integer call() throws Exception {
        S3Location loc = S3Location.parse(url);
        if (loc.prefix().isEmpty()) {
            throw new InvalidInputException("bench-copy needs an object key: s3://bucket@region/key");
        }
        long start = System.nanoTime();
        try (S3Client s3 = S3Driver.buildClient(loc, S3Settings.from(System.getenv()));
             ExecutorService pool = Executors.newFixedThreadPool(workers)) {
            if (download) {
                download(s3, loc, pool);
            } else {
                upload(s3, loc, pool);
            }
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        spec.commandLine().getOut().println("elapsed_ms=" + ms);
        return 0;
    }

    private void upload(S3Client s3, S3Location loc, ExecutorService pool) throws Exception {
        String id = s3.createMultipartUpload(b -> b.bucket(loc.bucket()).key(loc.prefix())).uploadId();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            List<Future<CompletedPart>> parts = new ArrayList<>();
            int n = 1;
            for (long off = 0; off < size; off += partSize, n++) {
                long o = off;
                int number = n;
                int len = (int) Math.min(partSize, size - off);
                parts.add(pool.submit(() -> {
                    byte[] buf = read(ch, o, len);
                    String etag = s3.uploadPart(b -> b.bucket(loc.bucket()).key(loc.prefix()).uploadId(id)
                            .partNumber(number).contentLength((long) len), RequestBody.fromBytes(buf)).eTag();
                    return CompletedPart.builder().partNumber(number).eTag(etag).build();
                }));
            }
            List<CompletedPart> done = new ArrayList<>();
            for (Future<CompletedPart> f : parts) {
                done.add(f.get());
            }
            s3.completeMultipartUpload(b -> b.bucket(loc.bucket()).key(loc.prefix()).uploadId(id)
                    .multipartUpload(m -> m.parts(done)));
        }
    }

    private void download(S3Client s3, S3Location loc, ExecutorService pool) throws Exception {
        long size = s3.headObject(b -> b.bucket(loc.bucket()).key(loc.prefix())).contentLength();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            List<Future<?>> parts = new ArrayList<>();
            for (long off = 0; off < size; off += partSize) {
                long o = off;
                long end = Math.min(size, off + partSize) - 1;
                parts.add(pool.submit(() -> {
                    byte[] data = s3.getObjectAsBytes(b -> b.bucket(loc.bucket()).key(loc.prefix())
                            .range("bytes=" + o + "-" + end)).asByteArray();
                    ByteBuffer bb = ByteBuffer.wrap(data);
                    long pos = o;
                    while (bb.hasRemaining()) {
                        pos += ch.write(bb, pos);
                    }
                    return null;
                }));
            }
            for (Future<?> f : parts) {
                f.get();
            }
        }
    }

    private static byte[] read(FileChannel ch, long off, int len) throws IOException {
        ByteBuffer bb = ByteBuffer.allocate(len);
        long pos = off;
        while (bb.hasRemaining()) {
            int n = ch.read(bb, pos);
            if (n < 0) {
                break;
            }
            pos += n;
        }
        return bb.array();
    }
}
