package io.longhorn.engine.controller;

import io.longhorn.api.client.ReplicaDataException;
import io.longhorn.api.replica.DataChunk;
import io.longhorn.api.replica.Extent;
import io.longhorn.api.replica.ExtentList;
import io.longhorn.api.replica.RangeChecksum;
import io.longhorn.api.replica.ReplicaInfo;
import io.longhorn.api.replica.SnapshotInfo;
import io.longhorn.api.wire.WireStatus;
import io.longhorn.engine.backend.ReplicaControl;
import io.longhorn.engine.backend.ReplicaControlException;
import io.longhorn.engine.backend.ReplicaDataPath;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A replica in memory that fails or stalls on command: both its data path and its control API.
 * Snapshots are names only (no layers); that is all the controller tests need.
 */
final class FakeReplica implements ReplicaDataPath, ReplicaControl {

    /** How the data path answers. */
    enum Behaviour {
        OK,
        /** Every request fails with EIO. */
        FAIL,
        /** Requests are held until {@link #releaseHeld()}. */
        HOLD,
        /** Requests never get an answer (until the connection is closed). */
        HANG
    }

    final String address;
    final byte[] data;
    volatile Behaviour behaviour = Behaviour.OK;
    volatile long generation;
    volatile boolean rebuilding;
    volatile boolean failControl;
    volatile boolean failSnapshot;
    volatile boolean closed;
    /** When set, SetGeneration waits for it (to observe what waits on generations). */
    volatile CountDownLatch generationGate;
    /** When false, flushes are answered at once even while the other requests are held. */
    volatile boolean holdFlushes = true;
    /** When set, SnapshotCreate waits for it (a replica that does not answer). */
    volatile CountDownLatch snapshotGate;
    /** How many data-path flushes had arrived when each SnapshotCreate came. */
    final List<Integer> flushesAtSnapshot = new ArrayList<>();
    final List<String> snapshots = new ArrayList<>();
    final List<Long> generationsSet = new ArrayList<>();
    final AtomicInteger writes = new AtomicInteger();
    final AtomicInteger reads = new AtomicInteger();
    final AtomicInteger flushes = new AtomicInteger();
    private final ConcurrentLinkedQueue<Runnable> held = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<CompletableFuture<Void>> pending = new ConcurrentLinkedQueue<>();

    FakeReplica(String address, int size, long generation) {
        this.address = address;
        this.data = new byte[size];
        this.generation = generation;
    }

    // ------------------------------------------------------------------ data path

    @Override
    public String address() {
        return address;
    }

    @Override
    public CompletableFuture<Void> read(long offset, ByteBuffer dst) {
        reads.incrementAndGet();
        return answer(() -> {
            synchronized (data) {
                dst.put(dst.position(), data, (int) offset, dst.remaining());
            }
        });
    }

    @Override
    public CompletableFuture<Void> write(long offset, ByteBuffer src, boolean fua) {
        writes.incrementAndGet();
        return answer(() -> {
            synchronized (data) {
                src.get(src.position(), data, (int) offset, src.remaining());
            }
        });
    }

    @Override
    public CompletableFuture<Void> writeZeroes(long offset, long length) {
        return answer(() -> {
            synchronized (data) {
                java.util.Arrays.fill(data, (int) offset, (int) (offset + length), (byte) 0);
            }
        });
    }

    @Override
    public CompletableFuture<Void> unmap(long offset, long length) {
        return writeZeroes(offset, length);
    }

    @Override
    public CompletableFuture<Void> flush() {
        flushes.incrementAndGet();
        if (!holdFlushes && behaviour == Behaviour.HOLD) {
            return CompletableFuture.completedFuture(null);
        }
        return answer(() -> { });
    }

    private CompletableFuture<Void> answer(Runnable effect) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (closed) {
            f.completeExceptionally(new ReplicaDataException(WireStatus.ESHUTDOWN, "replica " + address + ": closed"));
            return f;
        }
        switch (behaviour) {
            case OK -> {
                effect.run();
                f.complete(null);
            }
            case FAIL -> f.completeExceptionally(new ReplicaDataException(WireStatus.EIO, "replica " + address + ": disk error"));
            case HOLD -> held.add(() -> {
                effect.run();
                f.complete(null);
            });
            case HANG -> pending.add(f);
        }
        return f;
    }

    void releaseHeld() {
        Runnable r;
        while ((r = held.poll()) != null) {
            r.run();
        }
    }

    int heldCount() {
        return held.size();
    }

    @Override
    public boolean isOpen() {
        return !closed;
    }

    @Override
    public void close() {
        closed = true;
        CompletableFuture<Void> f;
        while ((f = pending.poll()) != null) {
            f.completeExceptionally(new ReplicaDataException(WireStatus.ESHUTDOWN, "replica " + address + ": connection closed"));
        }
    }

    byte[] bytes(int offset, int length) {
        synchronized (data) {
            return java.util.Arrays.copyOfRange(data, offset, offset + length);
        }
    }

    // ------------------------------------------------------------------ control

    private void checkControl(String what) {
        if (failControl) {
            throw new ReplicaControlException(address, ReplicaControlException.Reason.UNAVAILABLE,
                    "failed to " + what + " on replica " + address + ": unreachable", null);
        }
    }

    @Override
    public synchronized ReplicaInfo info() {
        checkControl("get info");
        ReplicaInfo.Builder b = ReplicaInfo.newBuilder().setSize(data.length).setSectorSize(4096).setGeneration(generation)
                .setRebuilding(rebuilding).setDataAddress(address).setHead("volume-head-000.img");
        String parent = "";
        for (String s : snapshots) {
            b.addSnapshots(SnapshotInfo.newBuilder().setName(s).setFile("volume-snap-" + s + ".img").setParent(parent)
                    .setCreated("2026-01-01T00:00:00Z").setUserCreated(true));
            parent = s;
        }
        b.setParent(parent);
        b.addSnapshots(SnapshotInfo.newBuilder().setName("volume-head").setHead(true).setParent(parent));
        return b.build();
    }

    @Override
    public ReplicaInfo snapshotCreate(String name, Map<String, String> labels, boolean userCreated, String created) {
        CountDownLatch gate = snapshotGate;
        if (gate != null) {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return takeSnapshot(name);
    }

    private synchronized ReplicaInfo takeSnapshot(String name) {
        checkControl("create snapshot " + name);
        flushesAtSnapshot.add(flushes.get());
        if (failSnapshot) {
            throw new ReplicaControlException(address, ReplicaControlException.Reason.FAILED,
                    "failed to create snapshot " + name + " on replica " + address + ": disk full", null);
        }
        snapshots.add(name);
        return info();
    }

    @Override
    public synchronized ReplicaInfo snapshotRemove(String name) {
        checkControl("remove snapshot");
        snapshots.remove(name);
        return info();
    }

    @Override
    public synchronized ReplicaInfo snapshotRevert(String name) {
        checkControl("revert");
        return info();
    }

    @Override
    public synchronized ReplicaInfo snapshotPurge() {
        return info();
    }

    @Override
    public ReplicaInfo expand(long size) {
        throw new UnsupportedOperationException();
    }

    @Override
    public ReplicaInfo setGeneration(long g) {
        CountDownLatch gate = generationGate;
        if (gate != null) {
            try {
                gate.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        checkControl("set generation");
        synchronized (this) {
            generation = g;
            generationsSet.add(g);
            return info();
        }
    }

    @Override
    public ExtentList listExtents(String file) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<RangeChecksum> checksumRanges(String file, List<Extent> extents, int chunkSize) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void readExtents(String file, List<Extent> extents, Consumer<DataChunk> sink) {
        throw new UnsupportedOperationException();
    }

    @Override
    public ExtentWriter writeExtents() {
        throw new UnsupportedOperationException();
    }

    @Override
    public void retainExtents(String file, List<Extent> extents) {
        throw new UnsupportedOperationException();
    }

    @Override
    public ReplicaInfo rebuildPrepare(List<SnapshotInfo> snapshots) {
        throw new UnsupportedOperationException("fake replicas do not rebuild");
    }

    @Override
    public ReplicaInfo rebuildFinish() {
        throw new UnsupportedOperationException();
    }

    @Override
    public String toString() {
        return "fake replica " + address;
    }
}
