package io.longhorn.replica.control;

import io.longhorn.api.auth.GrpcAuthServer;
import io.longhorn.api.auth.VolumeSecret;
import io.longhorn.replica.store.Replica;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.function.LongSupplier;

/**
 * The replica this process serves and where its data server listens. Published once the store is
 * open and the data server runs; until then control calls answer UNAVAILABLE.
 */
@ApplicationScoped
public class ServedReplica {
    private volatile Replica replica;
    private volatile GrpcAuthServer auth = new GrpcAuthServer(null, "replica");
    private volatile LongSupplier dataRefusals = () -> 0;
    private volatile String dataAddress = "";
    private volatile String dataSocket = "";
    private volatile Runnable stopIo = () -> {
    };
    private volatile java.util.function.Consumer<Boolean> deleted = ok -> {
    };
    /** Records a generation for an engine; the data server's fence once it runs. */
    private volatile GenerationRecorder recorder = (generation, engine) -> replica().setGeneration(generation);

    /** Records an engine's generation (see the data server's fence). */
    @FunctionalInterface
    public interface GenerationRecorder {
        void record(long generation, String engine);
    }

    /**
     * Requires every later control call to prove it holds {@code secret} (null: admit every call).
     * Set before {@link #publish}, so that no call reaches the replica unchecked.
     */
    public void protect(VolumeSecret secret, String what) {
        this.auth = new GrpcAuthServer(secret, what);
    }

    /** The check control calls pass first. */
    public GrpcAuthServer auth() {
        return auth;
    }

    /** Where the data server counts the connections it refused. */
    public void onRefusals(LongSupplier dataRefusals) {
        this.dataRefusals = dataRefusals;
    }

    /** Data connections and control calls refused for not proving the volume's secret. */
    public long authRefusals() {
        return auth.refusals() + dataRefusals.getAsLong();
    }

    /**
     * @param dataAddress {@code tcp://host:port} of the data server
     * @param dataSocket  its Unix socket path, or empty
     */
    public void publish(Replica replica, String dataAddress, String dataSocket) {
        this.dataAddress = dataAddress == null ? "" : dataAddress;
        this.dataSocket = dataSocket == null ? "" : dataSocket;
        this.replica = replica;
    }

    /**
     * What {@link #delete} does around the store's deletion: {@code stopIo} stops the data server
     * before it; {@code deleted} (told whether the files are gone) runs after the caller was
     * answered, and ends the process.
     */
    public void onDelete(Runnable stopIo, java.util.function.Consumer<Boolean> deleted) {
        this.stopIo = stopIo;
        this.deleted = deleted;
    }

    /**
     * Withdraws the replica (later control calls answer UNAVAILABLE), stops the data path and
     * deletes the replica's files. Once the caller has its answer, {@link #deleteAnswered} ends
     * the process.
     *
     * @throws NotServingException when no replica is published (already deleted, or not yet open)
     */
    public void delete() {
        Replica r;
        synchronized (this) {
            r = replica();
            replica = null;
        }
        stopIo.run();
        r.delete();
    }

    /**
     * Routes generation changes through the data server, which closes the connections of every
     * other engine before recording (the fence).
     */
    public void onRecordGeneration(GenerationRecorder recorder) {
        this.recorder = recorder;
    }

    /** Records {@code generation} for {@code engine}: never lower, and fencing off other engines. */
    public void recordGeneration(long generation, String engine) {
        replica();
        recorder.record(generation, engine);
    }

    /** Runs after a Delete call was answered; {@code ok} says whether the files are gone. */
    public void deleteAnswered(boolean ok) {
        deleted.accept(ok);
    }

    /** Stops serving control calls (at shutdown, before the store closes). */
    public void withdraw() {
        this.replica = null;
    }

    /**
     * @throws NotServingException when no replica is published
     */
    public Replica replica() {
        Replica r = replica;
        if (r == null) {
            throw new NotServingException("the replica is not open (starting or shutting down)");
        }
        return r;
    }

    public String dataAddress() {
        return dataAddress;
    }

    public String dataSocket() {
        return dataSocket;
    }

    /** No replica is open in this process right now. */
    public static final class NotServingException extends RuntimeException {
        public NotServingException(String message) {
            super(message);
        }
    }
}
