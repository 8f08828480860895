package io.longhorn.replica.bench;

import io.longhorn.api.client.ReplicaDataClient;
import io.longhorn.api.types.Address;
import io.longhorn.api.types.Sizes;
import io.longhorn.api.wire.Hello;
import io.longhorn.replica.server.BlockTarget;
import io.longhorn.replica.server.DataServer;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Drives a replica's data server with a fixed number of requests in flight for a fixed time, like
 * fio's {@code iodepth} and {@code time_based}: each completion issues the next request from the
 * connection's I/O thread, so the generator adds no thread hand-offs of its own. Prints one
 * {@code RESULT} line with IOPS, MB/s and mean latency.
 */
public final class LoadGenerator {

    static final String USAGE = """
            Usage: longhorn-replica bench --address tcp://HOST:PORT|unix:///PATH|self --size SIZE
                                          [--pattern randwrite|randread|write|read|fill] [--bs 4k]
                                          [--depth 16] [--connections 1] [--duration 15s]

            Runs one load pattern against a replica's data server for --duration and prints
              RESULT pattern=P bs=B depth=D connections=C ops=N seconds=S iops=I mbps=M lat_us=L
            (MB/s in 10^6 bytes). Offsets stay below --size; random patterns pick bs-aligned
            offsets, sequential ones wrap around at --size. "fill" writes every block of --size
            once, sequentially, and stops (to lay data out before read tests). --address self serves
            a null volume (reads return zeros, writes are dropped) in this process on loopback TCP,
            to measure the protocol and the client alone.""";

    /** Bad arguments; the message says which. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    /**
     * @param address     data server address
     * @param size        bytes of the volume to use
     * @param pattern     randwrite, randread, write or read
     * @param blockSize   bytes per request
     * @param depth       requests in flight in total
     * @param connections connections the depth is spread over
     * @param duration    how long to run
     */
    record Options(Address address, long size, String pattern, int blockSize, int depth, int connections,
                   Duration duration) {
    }

    /** Result of one run. */
    record Result(Options options, long ops, double seconds, double meanLatencyMicros) {
        double iops() {
            return ops / seconds;
        }

        double mbps() {
            return ops * (double) options.blockSize() / seconds / 1e6;
        }

        String line() {
            return String.format(Locale.ROOT,
                    "RESULT pattern=%s bs=%d depth=%d connections=%d ops=%d seconds=%.2f iops=%.0f mbps=%.1f lat_us=%.1f",
                    options.pattern(), options.blockSize(), options.depth(), options.connections(), ops, seconds,
                    iops(), mbps(), meanLatencyMicros);
        }
    }

    private LoadGenerator() {
    }

    /** Runs from the command line; returns the exit code. */
    public static int run(String... args) {
        Options o;
        try {
            o = parse(args);
        } catch (UsageException e) {
            if (e.getMessage() == null) {
                System.out.println(USAGE);
                return 0;
            }
            System.err.println("longhorn-replica bench: " + e.getMessage());
            return 2;
        }
        try {
            Result r = execute(o);
            System.out.println(r.line());
            return 0;
        } catch (Exception e) {
            System.err.println("longhorn-replica bench: " + e.getMessage());
            return 1;
        }
    }

    static Options parse(String... args) throws UsageException {
        String address = null;
        String size = null;
        String pattern = "randwrite";
        String bs = "4k";
        String depth = "16";
        String conns = "1";
        String duration = "15s";
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                throw new UsageException(null);
            }
            if (!a.startsWith("--") || i + 1 >= args.length) {
                throw new UsageException("unexpected argument " + a);
            }
            String v = args[++i];
            switch (a) {
                case "--address" -> address = v;
                case "--size" -> size = v;
                case "--pattern" -> pattern = v;
                case "--bs" -> bs = v;
                case "--depth" -> depth = v;
                case "--connections" -> conns = v;
                case "--duration" -> duration = v;
                default -> throw new UsageException("unknown option " + a);
            }
        }
        if (address == null || size == null) {
            throw new UsageException("--address and --size are required");
        }
        if (!List.of("randwrite", "randread", "write", "read", "fill").contains(pattern)) {
            throw new UsageException("--pattern must be randwrite, randread, write, read or fill, not " + pattern);
        }
        try {
            Address addr = address.equals("self") ? null : Address.parse(address);
            long sz = Sizes.parse(size);
            long b = Sizes.parse(bs);
            int d = Integer.parseInt(depth);
            int c = Integer.parseInt(conns);
            Duration dur = Duration.ofMillis((long) (Double.parseDouble(duration.replaceAll("s$", "")) * 1000));
            if (b < 4096 || b % 4096 != 0 || b > (32 << 20) || sz < b || d < 1 || c < 1 || c > d || dur.isNegative()) {
                throw new UsageException("need 4k <= bs <= 32Mi in 4k steps, size >= bs, depth >= connections >= 1");
            }
            return new Options(addr, sz - sz % b, pattern, (int) b, d, c, dur);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    static Result execute(Options o) throws Exception {
        if (o.address() == null) {
            try (DataServer self = DataServer.start(new NullTarget(),
                    new DataServer.Options(new InetSocketAddress("127.0.0.1", 0), null, DataServer.Options.defaultWorkers()))) {
                Address a = Address.tcp("127.0.0.1", self.tcpAddress().getPort());
                return execute(new Options(a, o.size(), o.pattern(), o.blockSize(), o.depth(), o.connections(), o.duration()));
            }
        }
        List<ReplicaDataClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < o.connections(); i++) {
                clients.add(ReplicaDataClient.connect(o.address(), Duration.ofSeconds(10), new Hello("", 0, "tool-" + ProcessHandle.current().pid())));
            }
            long blocks = o.size() / o.blockSize();
            boolean fill = o.pattern().equals("fill");
            boolean write = fill || o.pattern().endsWith("write");
            boolean random = o.pattern().startsWith("rand");
            long deadline = fill ? Long.MAX_VALUE : 0;
            AtomicLong ops = new AtomicLong();
            AtomicLong latencyNanos = new AtomicLong();
            AtomicLong sequential = new AtomicLong();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CountDownLatch finished = new CountDownLatch(o.depth());
            long start = System.nanoTime();
            if (!fill) {
                deadline = start + o.duration().toNanos();
            }
            for (int slot = 0; slot < o.depth(); slot++) {
                ReplicaDataClient client = clients.get(slot % clients.size());
                ByteBuffer buf = ByteBuffer.allocateDirect(o.blockSize());
                byte[] noise = new byte[o.blockSize()];
                ThreadLocalRandom.current().nextBytes(noise);
                buf.put(noise).flip();
                new Slot(client, buf, write, random, fill, blocks, o.blockSize(), deadline, ops, latencyNanos, sequential,
                        failure, finished).next();
            }
            long waitSeconds = fill ? 3600 : o.duration().toSeconds() + 60;
            if (!finished.await(waitSeconds, TimeUnit.SECONDS)) {
                throw new IllegalStateException("requests still in flight 60 s after the run ended");
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            if (failure.get() != null) {
                throw new IllegalStateException("a request failed: " + failure.get().getMessage(), failure.get());
            }
            long n = ops.get();
            return new Result(o, n, seconds, n == 0 ? 0 : latencyNanos.get() / 1e3 / n);
        } finally {
            clients.forEach(ReplicaDataClient::close);
        }
    }

    /** One request slot: issues a request, and from its completion the next, until the deadline. */
    private record Slot(ReplicaDataClient client, ByteBuffer buf, boolean write, boolean random, boolean once, long blocks,
                        int blockSize, long deadline, AtomicLong ops, AtomicLong latencyNanos, AtomicLong sequential,
                        AtomicReference<Throwable> failure, CountDownLatch finished) {
        void next() {
            long now = System.nanoTime();
            if (now >= deadline || failure.get() != null) {
                finished.countDown();
                return;
            }
            long block;
            if (random) {
                block = ThreadLocalRandom.current().nextLong(blocks);
            } else if (once) {
                block = sequential.getAndIncrement();
                if (block >= blocks) {
                    finished.countDown();
                    return;
                }
            } else {
                block = Math.floorMod(sequential.getAndIncrement(), blocks);
            }
            long offset = block * blockSize;
            CompletableFuture<Void> f = write ? client.write(offset, buf, false) : client.read(offset, buf);
            f.whenComplete((v, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, e);
                } else {
                    ops.incrementAndGet();
                    latencyNanos.addAndGet(System.nanoTime() - now);
                }
                next();
            });
        }
    }

    /** A volume that holds nothing: for measuring the protocol without the store. */
    private static final class NullTarget implements BlockTarget {
        @Override
        public void read(long offset, ByteBuffer dst) {
            dst.position(dst.limit());
        }

        @Override
        public void write(long offset, ByteBuffer src) {
            src.position(src.limit());
        }

        @Override
        public void writeZeroes(long offset, long length) {
        }

        @Override
        public void unmap(long offset, long length) {
        }

        @Override
        public void flush() {
        }

        @Override
        public String describe() {
            return "null volume";
        }
    }
}
