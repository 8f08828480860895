package io.longhorn.manager.standalone;

import io.longhorn.api.auth.VolumeSecret;
import io.longhorn.manager.client.BackupClient;
import io.longhorn.manager.client.BackupClients;
import io.longhorn.manager.client.ServiceCallException;
import io.longhorn.manager.launcher.process.ReadyLine;
import io.longhorn.manager.store.Resources;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The backup service standalone: a configured address, or a local {@code longhorn-backup serve}
 * process started on first use. It stops with the manager, unless a backup or restore job runs in
 * it: then it keeps running and is adopted again after a manager restart through
 * {@code <data-dir>/services/backup-service.json}.
 *
 * <p>Every call proves the backup service's secret ({@link io.longhorn.api.auth.GrpcAuth}): in a
 * cluster the Secret {@code longhorn-backup-service-secret} that the backup Deployment mounts;
 * standalone the file {@code <data-dir>/services/backup-service.secret} (0600, made at first use),
 * which the local service is started with ({@code --secret-file}) and which a configured one must
 * be given too.
 */
final class LocalBackupService implements BackupClients, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LocalBackupService.class);
    private static final String NAME = "backup-service";
    static final String SECRET_FILE = NAME + ".secret";

    private final BackupClients.Factory factory;
    private final Optional<String> configured;
    private final Path binDir;
    private final String host;
    private final Path stateDir;
    private final Path logDir;
    private final Duration timeout;
    private final Supplier<VolumeSecret> clusterSecret;
    private VolumeSecret fileSecret;
    private String address;
    private ProcessHandle process;

    /** What is remembered of the service process. */
    record Record(long pid, String started, String address) {
    }

    /** @param clusterSecret the secret's source in a cluster, or null for the file standalone */
    LocalBackupService(BackupClients.Factory factory, Optional<String> configured, Path binDir, String host, Path stateDir,
                       Path logDir, Duration timeout, Supplier<VolumeSecret> clusterSecret) {
        this.factory = factory;
        this.clusterSecret = clusterSecret;
        this.configured = configured;
        this.binDir = binDir;
        this.host = host;
        this.stateDir = stateDir;
        this.logDir = logDir;
        this.timeout = timeout;
    }

    @Override
    public synchronized BackupClient client() {
        if (configured.isPresent()) {
            return factory.backupClient(configured.get(), this::secret);
        }
        if (process == null || !process.isAlive()) {
            adoptOrStart();
        }
        return factory.backupClient(address, this::secret);
    }

    /** The secret the calls prove. */
    VolumeSecret secret() {
        if (clusterSecret != null) {
            return clusterSecret.get();
        }
        synchronized (this) {
            if (fileSecret == null) {
                try {
                    fileSecret = VolumeSecret.createIfMissing(stateDir.resolve(SECRET_FILE));
                } catch (IOException e) {
                    throw new ServiceCallException("cannot read or create the backup service's secret "
                            + stateDir.resolve(SECRET_FILE) + ": " + e.getMessage(), true, false, false, e);
                }
            }
            return fileSecret;
        }
    }

    private void adoptOrStart() {
        Path rec = stateDir.resolve(NAME + ".json");
        try {
            if (Files.exists(rec)) {
                Record r = Resources.JSON.readValue(rec.toFile(), Record.class);
                Optional<ProcessHandle> h = ProcessHandle.of(r.pid()).filter(ProcessHandle::isAlive)
                        .filter(p -> p.info().startInstant().map(Object::toString).orElse("").equals(r.started()));
                if (h.isPresent()) {
                    process = h.get();
                    address = r.address();
                    LOG.infof("adopted backup service (pid %d) at %s", r.pid(), address);
                    return;
                }
            }
            start(rec);
        } catch (IOException e) {
            throw new ServiceCallException("cannot start the backup service: " + e.getMessage(), true, false, false, e);
        }
    }

    private void start(Path rec) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(host, 0));
            port = s.getLocalPort();
        }
        String listen = host + ":" + port;
        Path log = logDir.resolve(NAME + ".log");
        Files.createDirectories(logDir);
        long offset = Files.exists(log) ? Files.size(log) : 0;
        secret(); // the file exists before the service reads it
        ProcessBuilder pb = new ProcessBuilder(binDir.resolve("longhorn-backup").toString(), "serve", "--listen", listen,
                "--secret-file", stateDir.resolve(SECRET_FILE).toAbsolutePath().toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        if (System.getenv("JAVA_HOME") == null) {
            pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        }
        String instanceOpts = System.getenv("LONGHORN_INSTANCE_JAVA_OPTS");
        if (instanceOpts != null) {
            pb.environment().put("LONGHORN_JAVA_OPTS", instanceOpts);
        }
        Process p = pb.start();
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            String text = Files.exists(log) ? tail(log, offset) : "";
            for (String line : text.split("\n")) {
                Optional<Map<String, String>> ready = ReadyLine.parse("backup service ready:", line);
                if (ready.isPresent()) {
                    process = p.toHandle();
                    address = ready.get().getOrDefault("grpc", listen);
                    Record r = new Record(p.pid(), p.info().startInstant().map(Object::toString).orElse(""), address);
                    Files.createDirectories(stateDir);
                    Path tmp = stateDir.resolve("." + NAME + ".json.tmp");
                    Files.write(tmp, Resources.JSON.writeValueAsBytes(r));
                    Files.move(tmp, rec, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    LOG.infof("backup service (pid %d) ready at %s", p.pid(), address);
                    return;
                }
            }
            if (!p.isAlive()) {
                throw new ServiceCallException("the backup service exited with code " + p.exitValue()
                        + " before it was ready; see " + log, true, false, false, null);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
                throw new ServiceCallException("interrupted while starting the backup service", true, false, false, e);
            }
        }
        p.destroyForcibly();
        throw new ServiceCallException("the backup service was not ready after " + timeout.toSeconds() + " s; see " + log,
                true, false, false, null);
    }

    private static String tail(Path log, long offset) throws IOException {
        byte[] all = Files.readAllBytes(log);
        return offset >= all.length ? "" : new String(all, (int) offset, all.length - (int) offset);
    }

    /**
     * Stops the service process (the one started or adopted, or the one recorded when none was
     * needed since this manager started), waits for it to exit, and forgets its record.
     */
    synchronized void stopProcess() {
        if (configured.isPresent()) {
            return;
        }
        Path rec = stateDir.resolve(NAME + ".json");
        ProcessHandle target = process;
        if (target == null && Files.exists(rec)) {
            try {
                Record r = Resources.JSON.readValue(rec.toFile(), Record.class);
                target = ProcessHandle.of(r.pid()).filter(p -> p.info().startInstant().map(Object::toString).orElse("")
                        .equals(r.started())).orElse(null);
            } catch (IOException e) {
                LOG.warnf("cannot read %s: %s", rec, e.getMessage());
            }
        }
        if (target != null && target.isAlive()) {
            target.destroy();
            try {
                target.onExit().get(20, java.util.concurrent.TimeUnit.SECONDS);
                LOG.infof("backup service (pid %d) stopped", target.pid());
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                target.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        process = null;
        try {
            Files.deleteIfExists(rec);
        } catch (IOException e) {
            LOG.warnf("cannot remove %s: %s", rec, e.getMessage());
        }
    }

    @Override
    public void close() {
        // Stopped (or left running for its jobs) by the runtime's shutdown, which knows the jobs.
    }
}
