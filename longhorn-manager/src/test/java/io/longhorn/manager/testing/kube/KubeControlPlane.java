package io.longhorn.manager.testing.kube;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Kubernetes control plane for tests: etcd and kube-apiserver, optionally
 * kube-controller-manager (garbage collection, namespace deletion), all on 127.0.0.1 at free ports,
 * with a PKI made by openssl in a fresh work directory. The binaries come from
 * {@code bin/k8s-test-binaries} (which reads {@code LONGHORN_K8S_BIN}); when it cannot provide
 * them, {@link #start} fails with its message: a test that needs a cluster never skips.
 *
 * <p>{@link #close} stops the processes newest first (SIGTERM, then SIGKILL after a grace period)
 * and deletes the work directory; a shutdown hook does the same when the JVM exits before.
 */
public final class KubeControlPlane implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);
    private static final String SERVICE_RANGE = "198.19.0.0/24";
    private static final String FIRST_SERVICE_IP = "198.19.0.1";
    private static Path binaries;

    private final Path work;
    private final List<Process> processes = new ArrayList<>();
    private final Thread shutdownHook = new Thread(this::stopAll, "kube-control-plane-stop");
    private String etcdUrl;
    private Path kubeconfig;
    private String serverUrl;
    private KubernetesClient client;
    private String address = "127.0.0.1";
    private boolean closed;

    private KubeControlPlane(Path work) {
        this.work = work;
    }

    /**
     * What to start besides etcd and kube-apiserver, and where the API server listens: 127.0.0.1
     * for tests of the API alone, the pod bridge's gateway for a cluster with a node (pods reach
     * the API server there; see {@link KubeCluster}).
     */
    public record Options(boolean controllerManager, boolean scheduler, String address) {
    }

    /** Starts etcd and kube-apiserver (and kube-controller-manager when asked) and waits until ready. */
    public static KubeControlPlane start(boolean controllerManager) throws IOException, InterruptedException {
        return start(new Options(controllerManager, false, "127.0.0.1"));
    }

    /** Starts etcd, kube-apiserver and what the options ask for, and waits until the API server is ready. */
    public static KubeControlPlane start(Options options) throws IOException, InterruptedException {
        Path bin = binaries();
        KubeControlPlane cp = new KubeControlPlane(Files.createTempDirectory("longhorn-kube-"));
        cp.address = options.address();
        Runtime.getRuntime().addShutdownHook(cp.shutdownHook);
        try {
            cp.pki();
            cp.startEtcd(bin);
            cp.startApiServer(bin);
            if (options.controllerManager()) {
                cp.startControllerManager(bin, options.scheduler());
            }
            if (options.scheduler()) {
                cp.launch("kube-scheduler", bin.resolve("kube-scheduler").toString(), "--kubeconfig=" + cp.kubeconfig,
                        "--leader-elect=false", "--secure-port=0");
            }
            return cp;
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            cp.close();
            throw e;
        }
    }

    /** The directory holding etcd, kube-apiserver, kube-controller-manager and kubectl. */
    public static synchronized Path binaries() throws IOException, InterruptedException {
        if (binaries != null) {
            return binaries;
        }
        Path script = repositoryRoot().resolve("bin/k8s-test-binaries");
        Process p = new ProcessBuilder("bash", script.toString()).redirectErrorStream(false).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor() != 0 || out.isEmpty()) {
            throw new IllegalStateException("no Kubernetes binaries for the tests: " + err
                    + " (set LONGHORN_K8S_BIN to a directory holding etcd, kube-apiserver, kube-controller-manager"
                    + " and kubectl, or to one holding hyperkube.xz and etcd.xz; unset, the release binaries are downloaded)");
        }
        String[] lines = out.split("\n");
        binaries = Path.of(lines[lines.length - 1]);
        return binaries;
    }

    public static Path repositoryRoot() {
        return Path.of(System.getProperty("longhorn.root", "..")).toAbsolutePath().normalize();
    }

    /** An admin kubeconfig (client certificate of {@code system:masters}). */
    public Path kubeconfig() {
        return kubeconfig;
    }

    public String serverUrl() {
        return serverUrl;
    }

    public Path workDir() {
        return work;
    }

    /** The certificates and keys: ca.crt/ca.key (the cluster CA), admin.crt/admin.key (system:masters). */
    public Path pkiDir() {
        return work.resolve("pki");
    }

    /** An admin client; closed with the control plane. */
    public synchronized KubernetesClient client() {
        if (client == null) {
            client = newClient();
        }
        return client;
    }

    /** A new admin client the caller closes. */
    public KubernetesClient newClient() {
        try {
            Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
            return new KubernetesClientBuilder().withConfig(config).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs kubectl against this cluster; returns its standard output, or throws with both of its
     * outputs when it fails. What kubectl logs to standard error (a client-side warning such as an
     * exec stream's "Unknown stream id") is not part of the result.
     */
    public String kubectl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(kubectlBinary());
        command.add("--kubeconfig=" + kubeconfig);
        command.addAll(List.of(args));
        Path errors = Files.createTempFile("kubectl", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectError(errors.toFile()).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("kubectl " + String.join(" ", args) + " failed: " + out
                        + Files.readString(errors));
            }
            return out;
        } finally {
            Files.deleteIfExists(errors);
        }
    }

    /** Creates (or replaces) the CRDs in the YAML files and waits until each is established. */
    public void applyCrds(List<Path> files) throws IOException {
        KubernetesClient c = client();
        for (Path f : files) {
            CustomResourceDefinition crd = c.apiextensions().v1().customResourceDefinitions()
                    .load(new ByteArrayInputStream(Files.readAllBytes(f))).item();
            c.apiextensions().v1().customResourceDefinitions().resource(crd).forceConflicts().serverSideApply();
            c.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName())
                    .waitUntilCondition(d -> d != null && d.getStatus() != null && d.getStatus().getConditions() != null
                            && d.getStatus().getConditions().stream()
                            .anyMatch(cond -> "Established".equals(cond.getType()) && "True".equals(cond.getStatus())),
                            30, TimeUnit.SECONDS);
        }
    }

    /** The generated Longhorn CRDs, as the manifests use them ({@code k8s/crds}). */
    public static List<Path> longhornCrds() throws IOException {
        Path dir = repositoryRoot().resolve("k8s/crds");
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> files = s.filter(p -> p.getFileName().toString().endsWith(".longhorn.io-v1.yml")).sorted().toList();
            if (files.isEmpty()) {
                throw new IllegalStateException("no CRDs in " + dir + ": build the manager first (process-classes)");
            }
            return files;
        }
    }

    private String kubectlBinary() throws IOException, InterruptedException {
        Path system = Path.of("/usr/bin/kubectl");
        return Files.isExecutable(system) ? system.toString() : binaries().resolve("kubectl").toString();
    }

    private void pki() throws IOException, InterruptedException {
        Path pki = Files.createDirectories(work.resolve("pki"));
        openssl(pki, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
                "-days", "2", "-subj", "/CN=longhorn-test-ca");
        Files.writeString(pki.resolve("server.ext"), "subjectAltName=IP:127.0.0.1,IP:" + FIRST_SERVICE_IP
                + ("127.0.0.1".equals(address) ? "" : ",IP:" + address)
                + ",DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,"
                + "DNS:kubernetes.default.svc.cluster.local\nextendedKeyUsage=serverAuth\n");
        signed(pki, "server", "/CN=kube-apiserver", "server.ext");
        Files.writeString(pki.resolve("client.ext"), "extendedKeyUsage=clientAuth\n");
        // RSA in the traditional form: the client cannot read every PKCS#8 key.
        signed(pki, "admin", "/O=system:masters/CN=admin", "client.ext");
        openssl(pki, "genrsa", "-traditional", "-out", "sa.key", "2048");
        openssl(pki, "rsa", "-in", "sa.key", "-pubout", "-out", "sa.pub");
    }

    private void signed(Path pki, String name, String subject, String ext) throws IOException, InterruptedException {
        openssl(pki, "genrsa", "-traditional", "-out", name + ".key", "2048");
        openssl(pki, "req", "-new", "-key", name + ".key", "-subj", subject, "-out", name + ".csr");
        openssl(pki, "x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "2", "-extfile", ext, "-out", name + ".crt");
    }

    private static void openssl(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("openssl " + String.join(" ", args) + " failed: " + out);
        }
    }

    private void startEtcd(Path bin) throws IOException, InterruptedException {
        int client = freePort();
        int peer = freePort();
        String clientUrl = "http://127.0.0.1:" + client;
        String peerUrl = "http://127.0.0.1:" + peer;
        Process etcd = launch("etcd", bin.resolve("etcd").toString(),
                "--name=test", "--data-dir=" + work.resolve("etcd"),
                "--listen-client-urls=" + clientUrl, "--advertise-client-urls=" + clientUrl,
                "--listen-peer-urls=" + peerUrl, "--initial-advertise-peer-urls=" + peerUrl,
                "--initial-cluster=test=" + peerUrl, "--unsafe-no-fsync", "--log-level=warn");
        etcdUrl = clientUrl;
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (true) {
            if (!etcd.isAlive()) {
                throw new IllegalStateException("etcd exited with " + etcd.exitValue() + ": " + logTail("etcd"));
            }
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), client)) {
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("etcd did not listen on " + clientUrl + ": " + logTail("etcd"));
                }
                Thread.sleep(100);
            }
        }
    }

    private void startApiServer(Path bin) throws IOException, InterruptedException {
        int port = freePort();
        Path pki = work.resolve("pki");
        serverUrl = "https://" + address + ":" + port;
        kubeconfig = work.resolve("admin.kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: test
                  cluster:
                    server: %s
                    certificate-authority: %s
                users:
                - name: admin
                  user:
                    client-certificate: %s
                    client-key: %s
                contexts:
                - name: test
                  context:
                    cluster: test
                    user: admin
                    namespace: default
                current-context: test
                """.formatted(serverUrl, pki.resolve("ca.crt"), pki.resolve("admin.crt"), pki.resolve("admin.key")));
        List<String> nodeFlags = "127.0.0.1".equals(address) ? List.of("--endpoint-reconciler-type=none") : List.of(
                // Pods reach the API server at the kubernetes Service, whose endpoint is this address.
                "--endpoint-reconciler-type=lease", "--enable-aggregator-routing=true",
                // The kubelet serves on 127.0.0.1 under the node name localhost.
                "--kubelet-preferred-address-types=Hostname,InternalIP",
                "--kubelet-client-certificate=" + pki.resolve("admin.crt"),
                "--kubelet-client-key=" + pki.resolve("admin.key"));
        List<String> command = new ArrayList<>(List.of(bin.resolve("kube-apiserver").toString(),
                "--etcd-servers=" + etcdUrl,
                "--bind-address=" + address, "--advertise-address=" + address, "--secure-port=" + port,
                "--tls-cert-file=" + pki.resolve("server.crt"), "--tls-private-key-file=" + pki.resolve("server.key"),
                "--client-ca-file=" + pki.resolve("ca.crt"),
                "--service-account-issuer=https://kubernetes.default.svc",
                "--service-account-key-file=" + pki.resolve("sa.pub"),
                "--service-account-signing-key-file=" + pki.resolve("sa.key"),
                "--service-cluster-ip-range=" + SERVICE_RANGE,
                "--authorization-mode=Node,RBAC", "--allow-privileged=true", "--profiling=false"));
        command.addAll(nodeFlags);
        Process api = launch("kube-apiserver", command.toArray(String[]::new));
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        try (KubernetesClient c = newClient()) {
            while (true) {
                if (!api.isAlive()) {
                    throw new IllegalStateException("kube-apiserver exited with " + api.exitValue() + ": " + logTail("kube-apiserver"));
                }
                try {
                    if ("ok".equals(c.raw("/readyz"))) {
                        return;
                    }
                } catch (RuntimeException notYet) {
                    // not listening yet
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("kube-apiserver not ready after " + READY_TIMEOUT.toSeconds() + " s: "
                            + logTail("kube-apiserver"));
                }
                Thread.sleep(200);
            }
        }
    }

    private void startControllerManager(Path bin, boolean withNode) throws IOException {
        Path pki = work.resolve("pki");
        // Without a kubelet (no scheduler either) tests set Node conditions themselves, so the node
        // lifecycle controller, which would mark every Node unknown after its grace period, is off.
        // With a real node it must run: it lifts the not-ready taint the kubelet registers with.
        String controllers = "--controllers=*,-nodeipam,-cloud-node-lifecycle,-service-lb-controller,-node-route-controller"
                + (withNode ? "" : ",-node-lifecycle-controller");
        launch("kube-controller-manager", bin.resolve("kube-controller-manager").toString(),
                "--kubeconfig=" + kubeconfig, "--service-account-private-key-file=" + pki.resolve("sa.key"),
                "--root-ca-file=" + pki.resolve("ca.crt"),
                "--cluster-signing-cert-file=" + pki.resolve("ca.crt"), "--cluster-signing-key-file=" + pki.resolve("ca.key"),
                "--leader-elect=false", "--secure-port=0", "--use-service-account-credentials=true", controllers);
    }

    private Process launch(String name, String... command) throws IOException {
        Path log = work.resolve(name + ".log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        p.getOutputStream().close();
        synchronized (processes) {
            processes.add(p);
        }
        return p;
    }

    /** The last lines of a process's log, for failure messages. */
    public String logTail(String name) {
        try {
            List<String> lines = Files.readAllLines(work.resolve(name + ".log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Stops newest first: SIGTERM, then SIGKILL after the grace period. */
    private void stopAll() {
        List<Process> list;
        synchronized (processes) {
            list = new ArrayList<>(processes);
            processes.clear();
        }
        for (int i = list.size() - 1; i >= 0; i--) {
            Process p = list.get(i);
            p.destroy();
            try {
                if (!p.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (client != null) {
            client.close();
        }
        stopAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs or ran already
        }
        try (Stream<Path> files = Files.walk(work)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // leftovers in the temporary directory are harmless
        }
    }
}
