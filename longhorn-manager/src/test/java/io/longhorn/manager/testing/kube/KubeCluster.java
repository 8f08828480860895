package io.longhorn.manager.testing.kube;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real single-node Kubernetes cluster for tests: the {@link KubeControlPlane} (etcd,
 * kube-apiserver, kube-controller-manager, kube-scheduler) plus a node made of containerd, runc,
 * the CNI bridge plugin, the kubelet and kube-proxy, with the address plan of the shared test kit:
 * pods in {@value #POD_CIDR} on the bridge {@value #BRIDGE} (gateway {@value #GATEWAY}, where the
 * API server listens, and the cluster DNS ({@link ClusterDns}) answers), Services in {@value #SERVICE_CIDR}, blackhole routes for both /16s and a
 * mangle FORWARD guard that drops what the bridge would send elsewhere, so no packet leaves the
 * machine.
 *
 * <p>The node programs come from {@code bin/k8s-node-binaries} (Debian's containerd, runc and
 * CNI plugins, unpacked into a cache), the kubelet and kube-proxy from {@code bin/k8s-test-binaries},
 * the pod sandbox image from {@code pause} (or {@code pause.xz}) in {@code LONGHORN_K8S_BIN} or its
 * {@code bin/} (without it, busybox-static's {@code sleep}). One cluster runs on a machine at a
 * time (a file lock; the bridge and kube-proxy's rules are machine-wide).
 *
 * <p>{@link #close} tears everything down: every pod is removed first (the node is tainted
 * NoExecute and pods are deleted), then kube-proxy, the kubelet and containerd stop, and the shims,
 * mounts, network namespaces, bridge, routes and iptables rules this cluster added are removed. It
 * compares the host with a snapshot taken before the start; {@link #leftovers} lists what differs.
 */
public final class KubeCluster implements AutoCloseable {
    public static final String BRIDGE = "lhtest0";
    public static final String GATEWAY = "198.18.0.1";
    public static final String POD_CIDR = "198.18.0.0/24";
    public static final String SERVICE_CIDR = "198.19.0.0/24";
    public static final String NODE_NAME = "localhost";
    public static final String PAUSE_IMAGE = "docker.io/longhorn-test/pause:1";
    private static final List<String> BLACKHOLES = List.of("198.18.0.0/16", "198.19.0.0/16");
    private static final List<String> GUARD = List.of("-t", "mangle", "FORWARD", "-i", BRIDGE, "!", "-o", BRIDGE, "-j", "DROP");
    private static final Duration NODE_READY_TIMEOUT = Duration.ofSeconds(180);
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(90);
    /** Namespaces whose pods are stopped last, after the workloads that may use their services. */
    private static final Set<String> SYSTEM_NAMESPACES = Set.of("kube-system", "longhorn-system");
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);
    private static final Path LOCK = Path.of("/run/lock/longhorn-kube-cluster.lock");
    /** The kubelet's directory at its usual place, where CSI node plugins expect it. */
    public static final String KUBELET_ROOT = "/var/lib/kubelet";
    /**
     * Host paths that pods mount with Bidirectional propagation (Longhorn's default disk): made
     * shared bind mounts of themselves for the cluster's life, since this host's root is a private
     * mount (on a real node systemd makes it shared).
     */
    public static final List<String> SHARED_HOST_PATHS = List.of("/var/lib/longhorn");

    private final Path work;
    private final Path node;
    private final HostState before;
    private final List<Process> processes = new ArrayList<>();
    private final Thread shutdownHook = new Thread(this::teardown, "kube-cluster-stop");
    private final List<String> leftovers = new ArrayList<>();
    private FileChannel lockChannel;
    private FileLock lock;
    private KubeControlPlane controlPlane;
    private boolean guardAdded;
    private final List<String> routesAdded = new ArrayList<>();
    private boolean bridgeAdded;
    private ClusterDns dns;
    private Path socket;
    private boolean closed;
    private boolean tornDown;

    private KubeCluster(Path work, Path node, HostState before) {
        this.work = work;
        this.node = node;
        this.before = before;
    }

    /** Starts the whole cluster and waits until the node is Ready and pods can be created in default. */
    public static KubeCluster start() throws IOException, InterruptedException {
        Path node = nodeBinaries();
        Path pause = pauseBinary();
        FileChannel channel = FileChannel.open(LOCK, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
        FileLock lock = acquire(channel);
        KubeCluster c;
        try {
            HostState before = HostState.capture(null);
            if (before.mounts.stream().anyMatch(m -> m.equals(KUBELET_ROOT) || m.startsWith(KUBELET_ROOT + "/"))) {
                throw new IllegalStateException(KUBELET_ROOT + " is mounted already: another kubelet runs on this machine,"
                        + " or an earlier test cluster was not torn down");
            }
            if (before.links.stream().anyMatch(l -> l.equals(BRIDGE))) {
                throw new IllegalStateException("the bridge " + BRIDGE + " exists already: a test cluster of an earlier run was not"
                        + " torn down (delete it with: ip link del " + BRIDGE + ")");
            }
            c = new KubeCluster(Files.createTempDirectory("longhorn-cluster-"), node, before);
        } catch (IOException | RuntimeException e) {
            lock.release();
            channel.close();
            throw e;
        }
        c.lockChannel = channel;
        c.lock = lock;
        Runtime.getRuntime().addShutdownHook(c.shutdownHook);
        try {
            c.network();
            c.shareHostPaths();
            c.controlPlane = KubeControlPlane.start(new KubeControlPlane.Options(true, true, GATEWAY));
            c.dns = ClusterDns.start(c.controlPlane.client(), GATEWAY);
            c.startContainerd(pause);
            c.startKubelet();
            c.startKubeProxy();
            c.awaitNodeReady();
            return c;
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            String logs = c.logs();
            c.close();
            throw new IllegalStateException("the test cluster did not start: " + e.getMessage() + "\n" + logs, e);
        }
    }

    public KubeControlPlane controlPlane() {
        return controlPlane;
    }

    public KubernetesClient client() {
        return controlPlane.client();
    }

    public Path kubeconfig() {
        return controlPlane.kubeconfig();
    }

    /** Imports a docker-archive image tarball into the node's containerd (namespace k8s.io). */
    public String importImage(Path tarball) throws IOException, InterruptedException {
        if (!Files.isRegularFile(tarball)) {
            throw new IllegalArgumentException("no image at " + tarball + ": build the module's package phase first");
        }
        return ctr("images", "import", tarball.toString());
    }

    /** Runs ctr against the node's containerd in the k8s.io namespace; throws with its output when it fails. */
    public String ctr(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(node.resolve("ctr").toString(), "--address", socket.toString(), "-n", "k8s.io"));
        command.addAll(List.of(args));
        return Cmd.run(command, Duration.ofMinutes(5));
    }

    /** The last lines of the kubelet, containerd, kube-proxy and control-plane logs, for failure messages. */
    public String logs() {
        StringBuilder b = new StringBuilder();
        for (String name : List.of("containerd", "kubelet", "kube-proxy")) {
            b.append("---- ").append(name).append(" (last lines)\n").append(tail(work.resolve(name + ".log"), 40)).append('\n');
        }
        if (controlPlane != null) {
            for (String name : List.of("kube-apiserver", "kube-scheduler", "kube-controller-manager")) {
                b.append("---- ").append(name).append(" (last lines)\n").append(controlPlane.logTail(name)).append('\n');
            }
        }
        return b.toString();
    }

    /** A pod's state, events and container logs, for failure messages. */
    public String describe(String namespace, String pod) {
        return describePod(namespace, pod) + "\n" + logs();
    }

    /** A pod's state, events and container logs, without the cluster's own logs. */
    public String describePod(String namespace, String pod) {
        StringBuilder b = new StringBuilder();
        try {
            b.append(controlPlane.kubectl("-n", namespace, "describe", "pod", pod));
        } catch (IOException | InterruptedException | RuntimeException e) {
            b.append("(describe failed: ").append(e.getMessage()).append(")\n");
        }
        try {
            b.append(controlPlane.kubectl("-n", namespace, "logs", pod, "--all-containers", "--tail=50"));
        } catch (IOException | InterruptedException | RuntimeException e) {
            b.append("(logs failed: ").append(e.getMessage()).append(")\n");
        }
        return b.toString();
    }

    /** What the teardown found left on the host (empty when it left nothing); valid after {@link #close}. */
    public List<String> leftovers() {
        return List.copyOf(leftovers);
    }

    // ---- start

    static Path nodeBinaries() throws IOException, InterruptedException {
        Path script = KubeControlPlane.repositoryRoot().resolve("bin/k8s-node-binaries");
        String out = Cmd.run(List.of("bash", script.toString()), Duration.ofMinutes(10)).trim();
        String[] lines = out.split("\n");
        return Path.of(lines[lines.length - 1]);
    }

    static Path pauseBinary() throws IOException, InterruptedException {
        String kit = System.getenv("LONGHORN_K8S_BIN");
        if (kit != null && !kit.isBlank()) {
            for (String candidate : List.of("pause", "pause.xz", "bin/pause", "bin/pause.xz")) {
                Path p = Path.of(kit).resolve(candidate);
                if (Files.isRegularFile(p)) {
                    return p;
                }
            }
        }
        // Without the kit: the sandbox is busybox-static sleeping (containerd stops a sandbox with SIGKILL).
        Path busybox = Path.of("/usr/bin/busybox");
        if (Files.isExecutable(busybox)) {
            return busybox;
        }
        throw new IllegalStateException("no pod sandbox binary: put pause (or pause.xz) in the directory LONGHORN_K8S_BIN names"
                + " (or its bin/), or install busybox-static; LONGHORN_K8S_BIN=" + kit);
    }

    private static FileLock acquire(FileChannel channel) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
        while (true) {
            FileLock l = channel.tryLock();
            if (l != null) {
                return l;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("another test cluster holds " + LOCK + " for 30 minutes");
            }
            Thread.sleep(1000);
        }
    }

    private void network() throws IOException, InterruptedException {
        for (String range : BLACKHOLES) {
            Cmd.run(List.of("ip", "route", "add", "blackhole", range), Duration.ofSeconds(30));
            routesAdded.add(range);
        }
        List<String> insert = new ArrayList<>(List.of("iptables", "-w"));
        insert.addAll(List.of(GUARD.get(0), GUARD.get(1), "-I", GUARD.get(2), "1"));
        insert.addAll(GUARD.subList(3, GUARD.size()));
        Cmd.run(insert, Duration.ofSeconds(30));
        guardAdded = true;
        Cmd.run(List.of("ip", "link", "add", BRIDGE, "type", "bridge"), Duration.ofSeconds(30));
        bridgeAdded = true;
        Cmd.run(List.of("ip", "addr", "add", GATEWAY + "/24", "dev", BRIDGE), Duration.ofSeconds(30));
        Cmd.run(List.of("ip", "link", "set", BRIDGE, "up"), Duration.ofSeconds(30));
        // Services work between pods on the bridge only when bridged packets pass iptables.
        Files.writeString(Path.of("/sys/class/net", BRIDGE, "bridge/nf_call_iptables"), "1");
        // A pod's packet to a Service IP is routed by the host (DNAT to another pod on the bridge):
        // forwarding is on for what arrives on the bridge only (the host's own setting stays as it
        // is; the guard above keeps it on the bridge), and goes with the bridge.
        Files.writeString(Path.of("/proc/sys/net/ipv4/conf", BRIDGE, "forwarding"), "1");
    }

    private void shareHostPaths() throws IOException, InterruptedException {
        for (String path : SHARED_HOST_PATHS) {
            Files.createDirectories(Path.of(path));
            Cmd.run(List.of("mount", "--bind", path, path), Duration.ofSeconds(30));
            Cmd.run(List.of("mount", "--make-rshared", path), Duration.ofSeconds(30));
        }
    }

    private void startContainerd(Path pause) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(work.resolve("containerd"));
        socket = dir.resolve("containerd.sock");
        Path cniConf = Files.createDirectories(work.resolve("cni/net.d"));
        Files.writeString(cniConf.resolve("10-longhorn-test.conflist"), """
                {
                  "cniVersion": "0.4.0",
                  "name": "longhorn-test",
                  "plugins": [
                    {
                      "type": "bridge",
                      "bridge": "%s",
                      "isGateway": false,
                      "ipMasq": false,
                      "hairpinMode": true,
                      "ipam": {
                        "type": "host-local",
                        "ranges": [[{"subnet": "%s", "gateway": "%s"}]],
                        "routes": [{"dst": "198.18.0.0/15", "gw": "%s"}],
                        "dataDir": "%s"
                      }
                    }
                  ]
                }
                """.formatted(BRIDGE, POD_CIDR, GATEWAY, GATEWAY, work.resolve("cni/ipam")));
        Path config = dir.resolve("config.toml");
        Files.writeString(config, """
                version = 2
                root = "%s"
                state = "%s"
                disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
                  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs",
                  "io.containerd.internal.v1.tracing", "io.containerd.tracing.processor.v1.otlp"]
                [grpc]
                  address = "%s"
                [ttrpc]
                  address = "%s"
                [plugins."io.containerd.grpc.v1.cri"]
                  sandbox_image = "%s"
                  disable_apparmor = true
                  restrict_oom_score_adj = true
                  enable_selinux = false
                  [plugins."io.containerd.grpc.v1.cri".containerd]
                    snapshotter = "overlayfs"
                    default_runtime_name = "runc"
                    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
                      runtime_type = "io.containerd.runc.v2"
                      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
                        BinaryName = "%s"
                        SystemdCgroup = false
                  [plugins."io.containerd.grpc.v1.cri".cni]
                    bin_dir = "%s"
                    conf_dir = "%s"
                """.formatted(dir.resolve("root"), dir.resolve("state"), socket, dir.resolve("containerd-ttrpc.sock"),
                PAUSE_IMAGE, node.resolve("runc"), node.resolve("cni"), cniConf));
        ProcessBuilder pb = new ProcessBuilder(node.resolve("containerd").toString(), "--config", config.toString());
        // containerd finds its shim (and the shim runc) on the PATH.
        pb.environment().put("PATH", node + ":" + System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"));
        Process p = launch("containerd", pb);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            if (!p.isAlive()) {
                throw new IllegalStateException("containerd exited with " + p.exitValue());
            }
            if (Files.exists(socket)) {
                try {
                    ctr("version");
                    break;
                } catch (IllegalStateException notYet) {
                    // not serving yet
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("containerd did not serve on " + socket + " within 60 s");
            }
            Thread.sleep(200);
        }
        importImage(pauseImage(pause));
    }

    /** A docker-archive image of one layer holding /pause, entrypoint /pause (or /busybox, entrypoint {@code /busybox sleep N}). */
    private Path pauseImage(Path pause) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(work.resolve("pause"));
        Path root = Files.createDirectories(dir.resolve("root"));
        boolean busybox = pause.getFileName().toString().startsWith("busybox");
        String name = busybox ? "busybox" : "pause"; // busybox picks its command by the name it is run as
        Path binary = root.resolve(name);
        if (pause.getFileName().toString().endsWith(".xz")) {
            Cmd.run(List.of("sh", "-c", "xz -dc \"$0\" > \"$1\"", pause.toString(), binary.toString()), Duration.ofMinutes(1));
        } else {
            Files.copy(pause, binary);
        }
        Cmd.run(List.of("chmod", "755", binary.toString()), Duration.ofSeconds(10));
        Path layer = dir.resolve("layer.tar");
        Cmd.run(List.of("tar", "--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--mtime=@0",
                "-cf", layer.toString(), "-C", root.toString(), name), Duration.ofMinutes(1));
        String layerDigest = sha256(Files.readAllBytes(layer));
        Files.move(layer, dir.resolve(layerDigest + ".tar"));
        String entrypoint = busybox ? "\"/busybox\",\"sleep\",\"2147483647\"" : "\"/pause\"";
        String config = """
                {"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z","config":{"Entrypoint":[%s]},\
                "rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}""".formatted(entrypoint, layerDigest);
        String configName = sha256(config.getBytes(StandardCharsets.UTF_8)) + ".json";
        Files.writeString(dir.resolve(configName), config);
        String tag = PAUSE_IMAGE.substring("docker.io/".length());
        Files.writeString(dir.resolve("manifest.json"), "[{\"Config\":\"" + configName + "\",\"RepoTags\":[\"" + tag
                + "\"],\"Layers\":[\"" + layerDigest + ".tar\"]}]");
        Path tarball = work.resolve("pause.tar");
        Cmd.run(List.of("tar", "-cf", tarball.toString(), "-C", dir.toString(), "manifest.json", configName, layerDigest + ".tar"),
                Duration.ofMinutes(1));
        return tarball;
    }

    private void startKubelet() throws IOException, InterruptedException {
        Path dir = Files.createDirectories(work.resolve("kubelet"));
        Path pki = controlPlane.pkiDir();
        // The node's client certificate: the Node authorizer knows it as system:node:localhost.
        Files.writeString(dir.resolve("client.ext"), "extendedKeyUsage=clientAuth\n");
        Cmd.run(List.of("openssl", "genrsa", "-traditional", "-out", dir.resolve("node.key").toString(), "2048"), Duration.ofMinutes(1));
        Cmd.run(List.of("openssl", "req", "-new", "-key", dir.resolve("node.key").toString(),
                "-subj", "/O=system:nodes/CN=system:node:" + NODE_NAME, "-out", dir.resolve("node.csr").toString()), Duration.ofMinutes(1));
        Cmd.run(List.of("openssl", "x509", "-req", "-in", dir.resolve("node.csr").toString(), "-CA", pki.resolve("ca.crt").toString(),
                "-CAkey", pki.resolve("ca.key").toString(), "-CAcreateserial", "-days", "2",
                "-extfile", dir.resolve("client.ext").toString(), "-out", dir.resolve("node.crt").toString()), Duration.ofMinutes(1));
        Path kubeconfig = dir.resolve("kubelet.kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: test
                  cluster:
                    server: %s
                    certificate-authority: %s
                users:
                - name: node
                  user:
                    client-certificate: %s
                    client-key: %s
                contexts:
                - name: test
                  context:
                    cluster: test
                    user: node
                current-context: test
                """.formatted(controlPlane.serverUrl(), pki.resolve("ca.crt"), dir.resolve("node.crt"), dir.resolve("node.key")));
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, """
                apiVersion: kubelet.config.k8s.io/v1beta1
                kind: KubeletConfiguration
                address: 127.0.0.1
                port: %d
                readOnlyPort: 0
                healthzBindAddress: 127.0.0.1
                healthzPort: %d
                authentication:
                  anonymous:
                    enabled: false
                  webhook:
                    enabled: false
                  x509:
                    clientCAFile: %s
                authorization:
                  mode: AlwaysAllow
                cgroupDriver: cgroupfs
                cgroupsPerQOS: false
                enforceNodeAllocatable: []
                failSwapOn: false
                makeIPTablesUtilChains: false
                resolvConf: ""
                clusterDNS: ["%s"]
                clusterDomain: %s
                containerRuntimeEndpoint: unix://%s
                imageGCHighThresholdPercent: 100
                imageGCLowThresholdPercent: 99
                evictionHard:
                  memory.available: "1Mi"
                  nodefs.available: "1%%"
                  nodefs.inodesFree: "1%%"
                  imagefs.available: "1%%"
                serializeImagePulls: false
                """.formatted(KubeControlPlane.freePort(), KubeControlPlane.freePort(), pki.resolve("ca.crt"), GATEWAY,
                ClusterDns.DOMAIN, socket));
        Path bin = KubeControlPlane.binaries();
        launch("kubelet", new ProcessBuilder(bin.resolve("kubelet").toString(), "--config=" + config, "--kubeconfig=" + kubeconfig,
                "--hostname-override=" + NODE_NAME, "--node-ip=" + GATEWAY, "--root-dir=" + KUBELET_ROOT,
                "--cert-dir=" + dir.resolve("pki"), "--v=1"));
    }

    private void startKubeProxy() throws IOException, InterruptedException {
        Path dir = Files.createDirectories(work.resolve("kube-proxy"));
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, """
                apiVersion: kubeproxy.config.k8s.io/v1alpha1
                kind: KubeProxyConfiguration
                clientConnection:
                  kubeconfig: %s
                mode: iptables
                clusterCIDR: %s
                hostnameOverride: %s
                nodePortAddresses: ["%s/32"]
                iptables:
                  localhostNodePorts: false
                conntrack:
                  maxPerCore: 0
                  min: 0
                  tcpEstablishedTimeout: 0s
                  tcpCloseWaitTimeout: 0s
                oomScoreAdj: 0
                healthzBindAddress: 127.0.0.1:%d
                metricsBindAddress: 127.0.0.1:%d
                """.formatted(controlPlane.kubeconfig(), POD_CIDR, NODE_NAME, GATEWAY, KubeControlPlane.freePort(),
                KubeControlPlane.freePort()));
        Path bin = KubeControlPlane.binaries();
        launch("kube-proxy", new ProcessBuilder(bin.resolve("kube-proxy").toString(), "--config=" + config, "--v=1"));
    }

    private void awaitNodeReady() throws InterruptedException {
        long deadline = System.nanoTime() + NODE_READY_TIMEOUT.toNanos();
        while (true) {
            for (Process p : processes) {
                if (!p.isAlive()) {
                    throw new IllegalStateException(p.info().command().orElse("a node process") + " exited with " + p.exitValue());
                }
            }
            Node n = null;
            boolean serviceAccount = false;
            try {
                n = client().nodes().withName(NODE_NAME).get();
                // Pods of the namespace default are refused until the controller manager made its
                // service account.
                serviceAccount = client().serviceAccounts().inNamespace("default").withName("default").get() != null;
            } catch (RuntimeException notYet) {
                // the API server is busy starting
            }
            if (n != null && n.getStatus() != null && n.getStatus().getConditions() != null
                    && n.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()))
                    && serviceAccount) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("node " + NODE_NAME + " not Ready within " + NODE_READY_TIMEOUT.toSeconds() + " s: "
                        + (n == null ? "not registered" : n.getStatus().getConditions())
                        + (serviceAccount ? "" : "; no service account default/default yet"));
            }
            Thread.sleep(500);
        }
    }

    private Process launch(String name, ProcessBuilder pb) throws IOException {
        pb.redirectErrorStream(true).redirectOutput(work.resolve(name + ".log").toFile());
        Process p = pb.start();
        p.getOutputStream().close();
        synchronized (processes) {
            processes.add(p);
        }
        return p;
    }

    // ---- teardown

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs or ran already
        }
        teardown();
    }

    private synchronized void teardown() {
        if (tornDown) {
            return;
        }
        tornDown = true;
        List<String> problems = new ArrayList<>();
        if (socket != null && controlPlane != null) {
            step(problems, "drain the node", this::drain);
        }
        List<Process> list;
        synchronized (processes) {
            list = new ArrayList<>(processes);
            processes.clear();
        }
        for (int i = list.size() - 1; i >= 0; i--) {
            stop(list.get(i));
        }
        step(problems, "stop containerd shims", this::killShims);
        step(problems, "loop devices", this::detachNewLoops);
        step(problems, "unmount", this::unmountOurs);
        if (dns != null) {
            dns.close();
        }
        if (controlPlane != null) {
            controlPlane.close();
        }
        if (bridgeAdded) {
            step(problems, "delete the bridge", () -> Cmd.run(List.of("ip", "link", "del", BRIDGE), Duration.ofSeconds(30)));
        }
        if (guardAdded) {
            step(problems, "remove the FORWARD guard", () -> {
                List<String> delete = new ArrayList<>(List.of("iptables", "-w", GUARD.get(0), GUARD.get(1), "-D"));
                delete.addAll(GUARD.subList(2, GUARD.size()));
                Cmd.run(delete, Duration.ofSeconds(30));
            });
        }
        // What kube-proxy added (it leaves its chains behind when it stops).
        step(problems, "iptables", () -> IptablesRestore.restore(before));
        step(problems, "host directories", () -> before.removeNewHostFiles());
        for (String range : routesAdded) {
            step(problems, "delete the route", () -> Cmd.run(List.of("ip", "route", "del", "blackhole", range), Duration.ofSeconds(30)));
        }
        routesAdded.clear();
        guardAdded = false;
        bridgeAdded = false;
        try (Stream<Path> files = Files.walk(work)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            problems.add("work directory " + work + ": " + e.getMessage());
        }
        try {
            HostState after = HostState.capture(work);
            leftovers.addAll(problems);
            leftovers.addAll(before.differences(after, work));
        } catch (IOException | InterruptedException | RuntimeException e) {
            leftovers.add("could not check the host after teardown: " + e);
        }
        try {
            if (lock != null) {
                lock.release();
                lockChannel.close();
            }
        } catch (IOException e) {
            leftovers.add("lock: " + e.getMessage());
        }
        lock = null;
    }

    interface Step {
        void run() throws Exception;
    }

    private static void step(List<String> problems, String what, Step s) {
        try {
            s.run();
        } catch (Exception e) {
            problems.add(what + ": " + e.getMessage());
        }
    }

    /** Taints the node so nothing is scheduled or recreated on it, deletes every pod, and waits until containerd runs none. */
    private void drain() throws Exception {
        KubernetesClient c = client();
        try {
            Node n = c.nodes().withName(NODE_NAME).get();
            if (n != null) {
                c.nodes().withName(NODE_NAME).edit(x -> new NodeBuilder(x).editSpec()
                        .addToTaints(new Taint("NoExecute", "longhorn-test/teardown", null, "true")).endSpec().build());
            }
        } catch (RuntimeException e) {
            // the pods are deleted below either way
        }
        // Workloads first, with their grace period, while the system's pods (a CSI plugin among
        // them) still run: kubelet unmounts their volumes and the plugin disconnects the devices.
        long workloadsDeadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos() / 2;
        while (System.nanoTime() < workloadsDeadline) {
            List<Pod> workloads = List.of();
            try {
                workloads = c.pods().inAnyNamespace().list().getItems().stream()
                        .filter(p -> !SYSTEM_NAMESPACES.contains(p.getMetadata().getNamespace()))
                        .filter(p -> NODE_NAME.equals(p.getSpec().getNodeName())).toList();
                for (Pod p : workloads) {
                    if (p.getMetadata().getDeletionTimestamp() == null) {
                        c.pods().inNamespace(p.getMetadata().getNamespace()).withName(p.getMetadata().getName()).delete();
                    }
                }
            } catch (RuntimeException e) {
                // retried below
            }
            if (workloads.isEmpty()) {
                break;
            }
            Thread.sleep(500);
        }
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        while (true) {
            List<Pod> pods = List.of();
            try {
                // Pods the controllers recreate stay Pending (the node is tainted): only those on the node count.
                pods = c.pods().inAnyNamespace().list().getItems().stream()
                        .filter(p -> NODE_NAME.equals(p.getSpec().getNodeName())).toList();
                for (Pod p : pods) {
                    c.pods().inNamespace(p.getMetadata().getNamespace()).withName(p.getMetadata().getName())
                            .withGracePeriod(0).delete();
                }
            } catch (RuntimeException e) {
                // retried below
            }
            String tasks = ctr("tasks", "ls");
            boolean running = tasks.lines().skip(1).anyMatch(l -> l.contains("RUNNING") || l.contains("PAUSED"));
            // A stopped sandbox has had its network torn down and its namespace removed.
            if (pods.isEmpty() && !running) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("pods still running after " + DRAIN_TIMEOUT.toSeconds() + " s: " + tasks);
            }
            Thread.sleep(500);
        }
    }

    private void stop(Process p) {
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

    /**
     * Loop devices the pods made and did not detach (a CSI plugin stopped before it unstaged):
     * detached here, and each reported, since a test that leaves one has a bug to show.
     */
    private void detachNewLoops() throws IOException, InterruptedException {
        List<String> left = new ArrayList<>();
        for (String l : HostState.loops()) {
            if (!before.loops.contains(l)) {
                Cmd.run(List.of("losetup", "-d", l.split(" ")[0]), Duration.ofSeconds(30));
                left.add(l);
            }
        }
        if (!left.isEmpty()) {
            throw new IOException("loop devices left by the pods (now detached): " + left);
        }
    }

    /** Shims of this containerd outlive it; stop them (and what still runs under them) by their PID. */
    private void killShims() throws IOException {
        for (ProcessHandle h : ProcessHandle.allProcesses().toList()) {
            String cmd = h.info().commandLine().orElse("");
            if (cmd.contains("containerd-shim") && cmd.contains(work.toString())) {
                h.descendants().forEach(ProcessHandle::destroyForcibly);
                h.destroyForcibly();
            }
        }
    }

    /** Unmounts what the kubelet and containerd mounted under the work directory, and their network namespaces. */
    private void unmountOurs() throws IOException, InterruptedException {
        List<String> ours = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
            String mountPoint = line.split(" ")[1].replace("\\040", " ");
            boolean shared = SHARED_HOST_PATHS.stream().anyMatch(p -> mountPoint.equals(p) || mountPoint.startsWith(p + "/"));
            boolean kubelet = mountPoint.equals(KUBELET_ROOT) || mountPoint.startsWith(KUBELET_ROOT + "/");
            if (mountPoint.startsWith(work + "/") || ((kubelet || shared || mountPoint.matches("/(var/)?run/netns/cni-.*"))
                    && !before.mounts.contains(mountPoint))) {
                ours.add(mountPoint);
            }
        }
        for (int i = ours.size() - 1; i >= 0; i--) {
            try {
                Cmd.run(List.of("umount", "-l", ours.get(i)), Duration.ofSeconds(30));
            } catch (IllegalStateException stackedOrGone) {
                // a mount point listed twice (a bind mount of itself) is gone with the first umount
            }
            if (ours.get(i).contains("/netns/cni-")) {
                Files.deleteIfExists(Path.of(ours.get(i)));
            }
        }
        List<String> left = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
            String mountPoint = line.split(" ")[1].replace("\\040", " ");
            if (ours.contains(mountPoint)) {
                left.add(mountPoint);
            }
        }
        if (!left.isEmpty()) {
            throw new IOException("still mounted: " + left);
        }
    }

    private static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static String sha256(byte[] b) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- the host, before and after

    /** What a cluster may change on the host: iptables, routes, links, mounts, network namespaces, processes. */
    static final class HostState {
        final List<String> iptables = new ArrayList<>();
        final List<String> ip6tables = new ArrayList<>();
        final Set<String> routes = new LinkedHashSet<>();
        final Set<String> links = new LinkedHashSet<>();
        final Set<String> mounts = new LinkedHashSet<>();
        final Set<String> netns = new LinkedHashSet<>();
        /** Loop devices in use, as "/dev/loopN backing-file". */
        final Set<String> loops = new LinkedHashSet<>();
        final Set<String> processes = new LinkedHashSet<>();
        /** Entries of the host directories the kubelet and containerd write to whatever their configuration. */
        final Set<String> hostFiles = new LinkedHashSet<>();
        /**
         * The kubelet's pod and container logs and device-plugin socket, the CNI result cache, the
         * shims' sockets and runc's state, the directory of pod network namespaces, and the cgroups
         * runc makes (under k8s.io in each hierarchy): fixed places on the host.
         */
        static final List<String> HOST_DIRS = List.of(KUBELET_ROOT, "/var/lib/cni", "/var/log/pods", "/var/log/containers",
                "/run/containerd", "/run/netns", "/var/lib/longhorn");

        static HostState capture(Path work) throws IOException, InterruptedException {
            HostState s = new HostState();
            s.iptables.addAll(normalize(Cmd.run(List.of("iptables-save"), Duration.ofSeconds(30))));
            if (Cmd.exists("ip6tables-save")) {
                s.ip6tables.addAll(normalize(Cmd.run(List.of("ip6tables-save"), Duration.ofSeconds(30))));
            }
            s.routes.addAll(Cmd.run(List.of("ip", "route", "show", "table", "all"), Duration.ofSeconds(30)).lines().toList());
            for (String line : Cmd.run(List.of("ip", "-o", "link", "show"), Duration.ofSeconds(30)).lines().toList()) {
                String[] f = line.split(": ");
                if (f.length > 1) {
                    s.links.add(f[1].split("@")[0]);
                }
            }
            for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
                s.mounts.add(line.split(" ")[1]);
            }
            for (String dir : List.of("/run/netns", "/var/run/netns")) {
                Path d = Path.of(dir);
                if (Files.isDirectory(d)) {
                    try (Stream<Path> l = Files.list(d)) {
                        l.forEach(p -> s.netns.add(p.toString()));
                    }
                }
            }
            for (String dir : HOST_DIRS) {
                s.hostFiles.addAll(listTree(Path.of(dir), false));
            }
            s.hostFiles.addAll(cgroups());
            s.loops.addAll(loops());
            if (work != null) {
                ProcessHandle.allProcesses().forEach(h -> {
                    String cmd = h.info().commandLine().orElse("");
                    if (cmd.contains(work.toString())) {
                        s.processes.add(h.pid() + " " + cmd);
                    }
                });
            }
            return s;
        }

        private static List<String> listTree(Path dir, boolean dirsOnly) throws IOException {
            if (!Files.isDirectory(dir)) {
                return List.of();
            }
            try (Stream<Path> s = Files.walk(dir)) {
                return s.filter(p -> !dirsOnly || Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                        .map(Path::toString).toList();
            }
        }

        static List<String> loops() throws IOException {
            List<String> out = new ArrayList<>();
            try (Stream<Path> l = Files.list(Path.of("/sys/block"))) {
                for (Path dev : l.filter(p -> p.getFileName().toString().startsWith("loop")).sorted().toList()) {
                    Path backing = dev.resolve("loop/backing_file");
                    if (Files.exists(backing)) {
                        out.add("/dev/" + dev.getFileName() + " " + Files.readString(backing).strip());
                    }
                }
            }
            return out;
        }

        /** The k8s.io cgroups (and their children) in every hierarchy. */
        private static List<String> cgroups() throws IOException {
            List<String> out = new ArrayList<>();
            Path root = Path.of("/sys/fs/cgroup");
            out.addAll(listTree(root.resolve("k8s.io"), true));
            if (Files.isDirectory(root)) {
                try (Stream<Path> l = Files.list(root)) {
                    for (Path h : l.toList()) {
                        out.addAll(listTree(h.resolve("k8s.io"), true));
                    }
                }
            }
            return out;
        }

        /** Deletes what appeared in the host directories since this snapshot, deepest first. */
        void removeNewHostFiles() throws IOException {
            List<String> now = new ArrayList<>();
            for (String dir : HOST_DIRS) {
                now.addAll(listTree(Path.of(dir), false));
            }
            now.addAll(cgroups());
            List<String> added = now.stream().filter(p -> !hostFiles.contains(p)).sorted(Comparator.reverseOrder()).toList();
            List<String> failed = new ArrayList<>();
            for (String p : added) {
                try {
                    Files.deleteIfExists(Path.of(p)); // a cgroup directory goes with rmdir once no process is in it
                } catch (IOException e) {
                    failed.add(p + " (" + e + ")");
                }
            }
            if (!failed.isEmpty()) {
                throw new IOException("could not remove " + failed);
            }
        }

        private static boolean isRuleOrChain(String line) {
            return line.startsWith("-") || (line.startsWith(":") && line.split(" ").length > 1 && line.split(" ")[1].equals("-"));
        }

        static List<String> normalize(String save) {
            List<String> out = new ArrayList<>();
            for (String line : save.split("\n")) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                out.add(line.replaceAll("\\[\\d+:\\d+]$", "[0:0]"));
            }
            return out;
        }

        /** What {@code after} has that this snapshot has not, limited to what a test cluster makes. */
        List<String> differences(HostState after, Path work) {
            List<String> d = new ArrayList<>();
            // Rules and chains of our own; the first use of iptables creates the (empty) built-in
            // tables and chains, which stay.
            for (String rule : after.iptables) {
                if (!iptables.contains(rule) && isRuleOrChain(rule)) {
                    d.add("iptables: " + rule);
                }
            }
            for (String rule : after.ip6tables) {
                if (!ip6tables.contains(rule) && isRuleOrChain(rule)) {
                    d.add("ip6tables: " + rule);
                }
            }
            for (String r : after.routes) {
                if (!routes.contains(r) && (r.contains("198.18.") || r.contains("198.19.") || r.contains(BRIDGE))) {
                    d.add("route: " + r);
                }
            }
            for (String l : after.links) {
                if (!links.contains(l) && (l.equals(BRIDGE) || l.startsWith("veth"))) {
                    d.add("link: " + l);
                }
            }
            for (String m : after.mounts) {
                if (!mounts.contains(m) && (m.startsWith(work.toString()) || m.contains("/netns/") || m.contains("containerd")
                        || m.contains("kubelet"))) {
                    d.add("mount: " + m);
                }
            }
            for (String l : after.loops) {
                if (!loops.contains(l)) {
                    d.add("loop device: " + l);
                }
            }
            for (String n : after.netns) {
                if (!netns.contains(n)) {
                    d.add("network namespace: " + n);
                }
            }
            for (String f : after.hostFiles) {
                if (!hostFiles.contains(f)) {
                    d.add("host file: " + f);
                }
            }
            for (String p : after.processes) {
                d.add("process: " + p);
            }
            return d;
        }
    }

    /** Removes the iptables rules and chains added since a snapshot (kube-proxy's KUBE-* chains among them). */
    static final class IptablesRestore {
        static void restore(HostState before) throws IOException, InterruptedException {
            restore("iptables", before.iptables);
            if (Cmd.exists("ip6tables-save")) {
                restore("ip6tables", before.ip6tables);
            }
        }

        private static void restore(String tool, List<String> before) throws IOException, InterruptedException {
            List<String> now = HostState.normalize(Cmd.run(List.of(tool + "-save"), Duration.ofSeconds(30)));
            String table = null;
            Set<String> oldChains = new LinkedHashSet<>();
            String t = null;
            for (String line : before) {
                if (line.startsWith("*")) {
                    t = line.substring(1);
                } else if (line.startsWith(":")) {
                    oldChains.add(t + " " + line.substring(1).split(" ")[0]);
                }
            }
            List<List<String>> deletes = new ArrayList<>();
            List<String[]> newChains = new ArrayList<>();
            for (String line : now) {
                if (line.startsWith("*")) {
                    table = line.substring(1);
                } else if (line.startsWith(":")) {
                    String chain = line.substring(1).split(" ")[0];
                    if (!oldChains.contains(table + " " + chain)) {
                        newChains.add(new String[] {table, chain});
                    }
                } else if (line.startsWith("-A ") && !before.contains(line)) {
                    List<String> words = Cmd.splitQuoted(line);
                    String chain = words.get(1);
                    if (oldChains.contains(table + " " + chain)) {
                        List<String> cmd = new ArrayList<>(List.of(tool, "-w", "-t", table, "-D"));
                        cmd.addAll(words.subList(1, words.size()));
                        deletes.add(cmd);
                    }
                }
            }
            for (List<String> cmd : deletes) {
                Cmd.run(cmd, Duration.ofSeconds(30));
            }
            for (String[] c : newChains) {
                Cmd.run(List.of(tool, "-w", "-t", c[0], "-F", c[1]), Duration.ofSeconds(30));
            }
            for (String[] c : newChains) {
                Cmd.run(List.of(tool, "-w", "-t", c[0], "-X", c[1]), Duration.ofSeconds(30));
            }
        }
    }

    /** Runs a command; returns its output, or throws with it. */
    static final class Cmd {
        static String run(List<String> command, Duration timeout) throws IOException, InterruptedException {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout.toSeconds() + " s");
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed (" + p.exitValue() + "): " + text.strip());
            }
            return text;
        }

        static boolean exists(String program) {
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
                if (Files.isExecutable(Path.of(dir, program))) {
                    return true;
                }
            }
            return false;
        }

        /** Splits an iptables-save line into words, honouring double quotes. */
        static List<String> splitQuoted(String line) {
            List<String> words = new ArrayList<>();
            StringBuilder w = new StringBuilder();
            boolean quoted = false;
            boolean any = false;
            for (int i = 0; i < line.length(); i++) {
                char ch = line.charAt(i);
                if (ch == '\\' && quoted && i + 1 < line.length()) {
                    w.append(line.charAt(++i));
                } else if (ch == '"') {
                    quoted = !quoted;
                    any = true;
                } else if (ch == ' ' && !quoted) {
                    if (any || !w.isEmpty()) {
                        words.add(w.toString());
                    }
                    w.setLength(0);
                    any = false;
                } else {
                    w.append(ch);
                }
            }
            if (any || !w.isEmpty()) {
                words.add(w.toString());
            }
            return words;
        }
    }
}
