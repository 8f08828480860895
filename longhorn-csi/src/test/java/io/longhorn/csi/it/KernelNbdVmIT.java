package io.longhorn.csi.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.longhorn.csi.CsiOptions;
import io.longhorn.csi.CsiServer;
import io.longhorn.csi.Exec;
import io.longhorn.csi.NbdNetlink;
import io.longhorn.csi.v1.CapacityRange;
import io.longhorn.csi.v1.ControllerExpandVolumeRequest;
import io.longhorn.csi.v1.ControllerGrpc;
import io.longhorn.csi.v1.ControllerPublishVolumeRequest;
import io.longhorn.csi.v1.ControllerUnpublishVolumeRequest;
import io.longhorn.csi.v1.CreateVolumeRequest;
import io.longhorn.csi.v1.DeleteVolumeRequest;
import io.longhorn.csi.v1.NodeExpandVolumeRequest;
import io.longhorn.csi.v1.NodeGetVolumeStatsRequest;
import io.longhorn.csi.v1.NodeGetVolumeStatsResponse;
import io.longhorn.csi.v1.NodeGrpc;
import io.longhorn.csi.v1.NodePublishVolumeRequest;
import io.longhorn.csi.v1.NodeStageVolumeRequest;
import io.longhorn.csi.v1.NodeUnpublishVolumeRequest;
import io.longhorn.csi.v1.NodeUnstageVolumeRequest;
import io.longhorn.csi.v1.VolumeCapability;
import io.longhorn.csi.v1.VolumeUsage;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The driver's kernel NBD path against a real kernel: a QEMU VM ({@link TestVm}) booting Debian's
 * 6.12 cloud kernel, which has the {@code nbd} module this machine's kernel lacks, is the node. The
 * driver runs here, in this JVM, served on a Unix socket as {@code bin/longhorn-csi} serves it, with
 * the VM as its {@link io.longhorn.csi.NodeHost}: {@code nbd-client}, {@code blkid}, {@code mkfs},
 * {@code mount}, {@code resize2fs} and the files under {@code /sys}, {@code /proc} and the state
 * directory are the guest's. Volumes are real: a standalone {@code bin/longhorn-manager} here starts
 * engines and replicas as processes, and the guest's kernel connects to the engine's NBD export on
 * this host's loopback (the guest routes 127.0.0.0/8 to the host, see {@code bin/lib/test-vm-image}),
 * so the endpoint the manager shows is used unchanged.
 *
 * <p>Checked in the guest: the device is {@code /dev/nbdN} connected through netlink; a blank volume
 * is formatted, a formatted one never again; an online expansion (ControllerExpandVolume, then
 * NodeExpandVolume while staged and published) grows the connected device on the same connection
 * ({@code NBD_CMD_RECONFIGURE}, sent by {@link io.longhorn.csi.NbdNetlink}'s {@code main}, which runs in
 * the guest on a {@code java.base} runtime that {@code bin/lib/test-vm-java} adds to the initramfs) and
 * the mounted ext4 ({@code blockdev}, {@code dumpe2fs} and {@code df} show the new size), data written
 * before is intact and more than the old size holds can be written; data written and fsynced survives
 * unstage and stage and an engine killed and restarted by the manager; after unstage nothing is mounted
 * or connected and {@code e2fsck -fn} finds the file system clean. Needs qemu-system-x86, nbd-client,
 * cpio, kmod, busybox-static (the test fails saying so when one is missing); the kernel package is
 * downloaded once into {@code ~/.cache/longhorn-test/vm}, where the runtime's archive is kept too.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class KernelNbdVmIT {
    static final String NODE = "vm-node";
    static final Path STATE = Path.of("/var/lib/longhorn-csi");
    static final long MIB = 1L << 20;
    static final VolumeCapability MOUNT = VolumeCapability.newBuilder()
            .setMount(VolumeCapability.MountVolume.newBuilder().setFsType("ext4"))
            .setAccessMode(VolumeCapability.AccessMode.newBuilder()
                    .setMode(VolumeCapability.AccessMode.Mode.SINGLE_NODE_WRITER)).build();
    static final ObjectMapper JSON = new ObjectMapper();

    static Path dir;
    static TestVm vm;
    static GuestNodeHost guest;
    static Process manager;
    static int managerPort;
    static CsiServer driver;
    static EpollEventLoopGroup group;
    static ManagedChannel channel;
    static ControllerGrpc.ControllerBlockingStub controller;
    static NodeGrpc.NodeBlockingStub node;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        Path root = CsiSanityIT.root();
        for (String m : List.of("manager", "engine", "replica")) {
            Path jar = root.resolve("longhorn-" + m).resolve("target/quarkus-app/quarkus-run.jar");
            if (!Files.exists(jar)) {
                fail(jar + " is missing: package the modules first (the reactor build does that)");
            }
        }
        dir = Files.createTempDirectory("csi-vm-it-");
        Path image = TestVm.image(root, dir.resolve("vm-image.log"));
        // The guest sets a device's size with NbdNetlink's main (java.base only): its classes go in.
        // (from the class path, a directory or the module's jar: the class and its nested ones)
        Path guestClasses = dir.resolve("guest-classes");
        for (Class<?> c : NbdNetlink.class.getNestMembers()) {
            String file = c.getName().replace('.', '/') + ".class";
            Files.createDirectories(guestClasses.resolve(file).getParent());
            try (java.io.InputStream in = NbdNetlink.class.getClassLoader().getResourceAsStream(file)) {
                Files.copy(java.util.Objects.requireNonNull(in, file), guestClasses.resolve(file));
            }
        }
        image = TestVm.withJava(root, image, dir.resolve("vm-boot"), List.of(guestClasses), dir.resolve("vm-java.log"));
        vm = TestVm.start(image, dir, Duration.ofMinutes(10));
        Files.createDirectories(dir.resolve("data"));
        managerPort = CsiSanityIT.freePort();
        // The manager's API takes tokens: the test and the driver use the admin token it is started with.
        Path adminToken = Files.createFile(dir.resolve("admin-token"), java.nio.file.attribute.PosixFilePermissions
                .asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        Files.writeString(adminToken, CsiSanityIT.ADMIN_TOKEN);
        manager = new ProcessBuilder(root.resolve("bin/longhorn-manager").toString(), "--data-dir",
                dir.resolve("data").toString(), "--listen", "127.0.0.1:" + managerPort, "--node-name", NODE,
                "--admin-token-file", adminToken.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("manager.log").toFile()).start();
        vm.awaitReady(Duration.ofSeconds(120));
        guest = vm.node();
        await("the manager's API", Duration.ofSeconds(120),
                () -> manager.isAlive() && CsiSanityIT.status(HTTP, api("/nodes/" + NODE), CsiSanityIT.ADMIN_TOKEN) == 200);
        driver = CsiServer.start(new CsiOptions(dir.resolve("csi.sock"), api(""), NODE, STATE, null,
                java.util.Optional.of(adminToken)), guest);
        group = new EpollEventLoopGroup(1);
        channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(dir.resolve("csi.sock").toString()))
                .channelType(EpollDomainSocketChannel.class).eventLoopGroup(group).usePlaintext().build();
        controller = ControllerGrpc.newBlockingStub(channel);
        node = NodeGrpc.newBlockingStub(channel);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (channel != null) {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            if (group != null) {
                group.shutdownGracefully();
            }
            if (driver != null) {
                driver.close();
            }
            if (manager != null && manager.isAlive()) {
                manager.destroy();
                if (!manager.waitFor(20, TimeUnit.SECONDS)) {
                    manager.destroyForcibly();
                    manager.waitFor();
                }
            }
            if (dir != null) {
                stopInstances();
            }
        } finally {
            if (vm != null) {
                vm.close();
            }
        }
        if (dir != null) {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** Engines and replicas outlive the manager on purpose: end the ones of this test by their recorded pids. */
    static void stopInstances() throws Exception {
        for (String sub : List.of("instances", "services")) {
            Path records = dir.resolve("data").resolve(sub);
            if (!Files.isDirectory(records)) {
                continue;
            }
            try (Stream<Path> files = Files.list(records)) {
                for (Path f : files.filter(x -> x.toString().endsWith(".json")).toList()) {
                    long pid = JSON.readTree(f.toFile()).path("pid").asLong(0);
                    if (pid > 0) {
                        ProcessHandle.of(pid).ifPresent(h -> {
                            h.descendants().forEach(ProcessHandle::destroyForcibly);
                            h.destroyForcibly();
                        });
                    }
                }
            }
        }
        String marker = dir + "/";
        ProcessHandle.allProcesses()
                .filter(h -> h.info().commandLine().map(c -> c.contains(marker)).orElse(false))
                .filter(h -> h.pid() != ProcessHandle.current().pid())
                .forEach(ProcessHandle::destroyForcibly);
    }

    static String api(String path) {
        return "http://127.0.0.1:" + managerPort + "/v1" + path;
    }

    static JsonNode volume(String name) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(api("/volumes/" + name)))
                        .header("Authorization", "Bearer " + CsiSanityIT.ADMIN_TOKEN).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    static void await(String what, Duration within, BooleanSupplier check) throws Exception {
        Instant deadline = Instant.now().plus(within);
        while (Instant.now().isBefore(deadline)) {
            if (check.getAsBoolean()) {
                return;
            }
            Thread.sleep(250);
        }
        fail(what + " did not happen within " + within.toSeconds() + " s; logs in " + dir);
    }

    static Path staging(String vol) {
        return Path.of("/var/lib/kubelet/plugins/kubernetes.io/csi/driver.longhorn.io", vol, "globalmount");
    }

    static Path target(String vol) {
        return Path.of("/var/lib/kubelet/pods/pod-1/volumes/kubernetes.io~csi", vol, "mount");
    }

    static String create(String name, long size) {
        String vol = controller.createVolume(CreateVolumeRequest.newBuilder().setName(name).addVolumeCapabilities(MOUNT)
                .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(size)).putParameters("numberOfReplicas", "1")
                .build()).getVolume().getVolumeId();
        created.add(vol);
        return vol;
    }

    /** The volumes of the running test, undone after it whatever it left (a failed test must not fail the next). */
    static final List<String> created = new ArrayList<>();

    @AfterEach
    void undoVolumes() {
        for (String vol : created) {
            List<Runnable> steps = List.of(
                    () -> unpublishAndUnstage(vol),
                    () -> controller.controllerUnpublishVolume(ControllerUnpublishVolumeRequest.newBuilder().setVolumeId(vol)
                            .setNodeId(NODE).build()),
                    () -> controller.deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId(vol).build()));
            for (Runnable step : steps) {
                try {
                    step.run();
                } catch (RuntimeException e) {
                    System.err.println("undoing volume " + vol + ": " + e.getMessage());
                }
            }
        }
        created.clear();
    }

    /** Stage and publish as kubelet does, each call twice (a retry gets the same answer and does nothing twice). */
    static void stageAndPublish(String vol) {
        NodeStageVolumeRequest stage = NodeStageVolumeRequest.newBuilder().setVolumeId(vol)
                .setStagingTargetPath(staging(vol).toString()).setVolumeCapability(MOUNT).build();
        node.nodeStageVolume(stage);
        node.nodeStageVolume(stage);
        NodePublishVolumeRequest publish = NodePublishVolumeRequest.newBuilder().setVolumeId(vol)
                .setStagingTargetPath(staging(vol).toString()).setTargetPath(target(vol).toString())
                .setVolumeCapability(MOUNT).build();
        node.nodePublishVolume(publish);
        node.nodePublishVolume(publish);
    }

    static void unpublishAndUnstage(String vol) {
        NodeUnpublishVolumeRequest unpublish = NodeUnpublishVolumeRequest.newBuilder().setVolumeId(vol)
                .setTargetPath(target(vol).toString()).build();
        node.nodeUnpublishVolume(unpublish);
        node.nodeUnpublishVolume(unpublish);
        NodeUnstageVolumeRequest unstage = NodeUnstageVolumeRequest.newBuilder().setVolumeId(vol)
                .setStagingTargetPath(staging(vol).toString()).build();
        node.nodeUnstageVolume(unstage);
        node.nodeUnstageVolume(unstage);
    }

    /** The device the driver recorded for the volume in the guest: {@code /dev/nbdN}, connected by the kernel client. */
    static String device(String vol) throws Exception {
        String recorded = guest.read(STATE.resolve("volumes").resolve(vol).resolve("device")).trim();
        assertTrue(recorded.matches("kernel /dev/nbd[0-9]+"), "recorded device: " + recorded);
        return recorded.substring("kernel ".length());
    }

    static long guestLong(String script) {
        return Long.parseLong(guest.shellCheck(script).trim());
    }

    static String sysBlock(String dev) {
        return "/sys/block/" + Path.of(dev).getFileName();
    }

    /** What the guest mounted at a path: {@code source fstype}, or empty. */
    static String mountAt(Path path) {
        return guest.shellCheck("awk -v p=" + GuestNodeHost.quote(path.toString())
                + " '$5 == p { for (i = 7; i <= NF; i++) if ($i == \"-\") { print $(i + 2), $(i + 1) } }' /proc/self/mountinfo")
                .trim();
    }

    /** The volume's export holds a clean ext4: checked through a connection of the test's own, afterwards undone. */
    static void assertCleanFileSystem(String vol) throws Exception {
        URI endpoint = URI.create(volume(vol).path("endpoint").asText());
        String out = guest.shellCheck("for i in $(seq 15 -1 0); do [ -e /sys/block/nbd$i/pid ] || { d=/dev/nbd$i; break; }; done\n"
                + "/usr/sbin/nbd-client " + endpoint.getHost() + " " + endpoint.getPort() + " $d -N " + vol + " >/dev/null 2>&1 || exit 90\n"
                + "/usr/sbin/e2fsck -fn $d; rc=$?\n"
                + "/usr/sbin/nbd-client -d $d >/dev/null 2>&1\n"
                + "exit $rc\n");
        assertTrue(out.contains("clean") || out.contains("files"), out);
    }

    /** Nothing of the volume is left in the guest: no mount under kubelet's paths, no connected nbd device, no state. */
    static void assertNothingLeft(String vol) {
        assertEquals("", guest.shellCheck("grep /var/lib/kubelet /proc/self/mountinfo; true").trim(), "mounts left");
        assertEquals("", guest.shellCheck("ls /sys/block/nbd*/pid 2>/dev/null; true").trim(), "connected nbd devices left");
        assertFalse(guest.exists(STATE.resolve("volumes").resolve(vol)), "state of " + vol + " left");
    }

    static String condition(String vol) {
        NodeGetVolumeStatsResponse r = node.nodeGetVolumeStats(NodeGetVolumeStatsRequest.newBuilder().setVolumeId(vol)
                .setVolumePath(target(vol).toString()).build());
        assertFalse(r.getVolumeCondition().getAbnormal(), r.getVolumeCondition().getMessage());
        return r.getVolumeCondition().getMessage();
    }

    static long totalBytes(String vol) {
        return node.nodeGetVolumeStats(NodeGetVolumeStatsRequest.newBuilder().setVolumeId(vol)
                        .setVolumePath(target(vol).toString()).build())
                .getUsageList().stream().filter(u -> u.getUnit() == VolumeUsage.Unit.BYTES).findFirst().orElseThrow()
                .getTotal();
    }

    /** Writes a text file and 8 MiB of random data, fsynced; answers the data's SHA-256. */
    static String writeData(String vol) {
        Path t = target(vol);
        return guest.shellCheck("echo 'written through the kernel NBD client' > " + t + "/hello.txt\n"
                + "/usr/bin/dd if=/dev/urandom of=" + t + "/blob bs=1M count=8 conv=fsync status=none || exit 1\n"
                + "/usr/bin/sync || exit 1\n"
                + "/usr/bin/sha256sum " + t + "/blob | cut -d' ' -f1\n").trim();
    }

    static void assertData(String vol, String sha) {
        Path t = target(vol);
        assertEquals("written through the kernel NBD client", guest.shellCheck("cat " + t + "/hello.txt").trim());
        assertEquals(sha, guest.shellCheck("/usr/bin/sha256sum " + t + "/blob | cut -d' ' -f1").trim());
    }

    /** The size in bytes of the ext4 on the device, from its superblock ({@code dumpe2fs -h}), read in the guest. */
    static long ext4Bytes(String dev) {
        return guestLong("eval $(/usr/sbin/dumpe2fs -h " + dev + " 2>/dev/null | sed -n "
                + "-e 's/^Block count: *\\([0-9]*\\)$/c=\\1/p' -e 's/^Block size: *\\([0-9]*\\)$/s=\\1/p')\n"
                + "echo $((c * s))\n");
    }

    @Test
    void theKernelClientConnectsAndTheFileSystemIsMadeOnceMountedGrownOnlineAndLetGo() throws Exception {
        String vol = create("vm-kernel", 64 * MIB);
        controller.controllerPublishVolume(ControllerPublishVolumeRequest.newBuilder().setVolumeId(vol).setNodeId(NODE)
                .setVolumeCapability(MOUNT).build());
        stageAndPublish(vol);
        String dev = device(vol);
        // Connected through netlink: the nbd-client that connected the device has exited (the ioctl
        // path keeps it running for as long as the device is connected).
        String clientPid = guest.shellCheck("cat " + sysBlock(dev) + "/pid").trim();
        assertFalse(guest.exists(Path.of("/proc/" + clientPid)), "nbd-client " + clientPid + " still runs: not netlink");
        assertEquals(64 * MIB, guestLong("/usr/sbin/blockdev --getsize64 " + dev));
        assertEquals(dev + " ext4", mountAt(staging(vol)));
        assertTrue(mountAt(target(vol)).startsWith(dev + " "), mountAt(target(vol)));
        assertTrue(condition(vol).contains("attached through the kernel NBD client as " + dev), condition(vol));
        String sha = writeData(vol);
        long before = totalBytes(vol);

        // Online expansion: the controller expands the engine, then the node grows the connected
        // device (netlink) and the mounted file system (resize2fs), each node call twice.
        assertEquals(128 * MIB, controller.controllerExpandVolume(ControllerExpandVolumeRequest.newBuilder()
                .setVolumeId(vol).setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(128 * MIB)).build())
                .getCapacityBytes());
        assertEquals(64 * MIB, guestLong("/usr/sbin/blockdev --getsize64 " + dev), "the device before NodeExpandVolume");
        NodeExpandVolumeRequest expand = NodeExpandVolumeRequest.newBuilder().setVolumeId(vol)
                .setVolumePath(target(vol).toString()).setStagingTargetPath(staging(vol).toString())
                .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(128 * MIB)).setVolumeCapability(MOUNT).build();
        assertEquals(128 * MIB, node.nodeExpandVolume(expand).getCapacityBytes());
        assertEquals(128 * MIB, node.nodeExpandVolume(expand).getCapacityBytes());

        // The same device, on the same connection, still mounted, now of the new size, and the file
        // system on it too.
        assertEquals(dev, device(vol));
        assertEquals(clientPid, guest.shellCheck("cat " + sysBlock(dev) + "/pid").trim(), dev + " was connected again");
        assertEquals(dev + " ext4", mountAt(staging(vol)));
        assertEquals(128 * MIB, guestLong("/usr/sbin/blockdev --getsize64 " + dev));
        assertEquals(128 * MIB, ext4Bytes(dev));
        long grown = totalBytes(vol);
        assertTrue(grown > before + 50 * MIB, "the mounted file system grew from " + before + " to " + grown + " bytes");
        assertEquals(grown / 1024, guestLong("df -k " + target(vol) + " | awk 'NR == 2 { print $2 }'"), "df");
        assertData(vol, sha);
        // 72 MiB more than the old 64 MiB device could hold: written through the grown range of the
        // same connection (the engine serves it without a new handshake).
        String more = guest.shellCheck("/usr/bin/dd if=/dev/urandom of=" + target(vol) + "/more bs=1M count=72 conv=fsync "
                + "status=none || exit 1\n/usr/bin/sha256sum " + target(vol) + "/more | cut -d' ' -f1\n").trim();
        // More than the engine serves is refused, and the device keeps its size.
        StatusRuntimeException tooBig = assertThrows(StatusRuntimeException.class, () -> node.nodeExpandVolume(
                expand.toBuilder().setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(256 * MIB)).build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, tooBig.getStatus().getCode());
        assertTrue(tooBig.getStatus().getDescription().contains("ControllerExpandVolume"), tooBig.getStatus().getDescription());
        assertEquals(128 * MIB, guestLong("/usr/sbin/blockdev --getsize64 " + dev));

        unpublishAndUnstage(vol);
        assertFalse(guest.exists(Path.of(sysBlock(dev), "pid")), dev + " is still connected");
        assertNothingLeft(vol);
        assertCleanFileSystem(vol);

        // The next stage connects the device at the volume's size; the data is there (nothing was
        // formatted again) and the file system needs no growing.
        stageAndPublish(vol);
        String again = device(vol);
        assertEquals(128 * MIB, guestLong("/usr/sbin/blockdev --getsize64 " + again));
        assertData(vol, sha);
        assertEquals(more, guest.shellCheck("/usr/bin/sha256sum " + target(vol) + "/more | cut -d' ' -f1").trim());
        assertEquals(grown, totalBytes(vol));
        assertEquals(128 * MIB, node.nodeExpandVolume(expand).getCapacityBytes());

        unpublishAndUnstage(vol);
        assertNothingLeft(vol);
        assertCleanFileSystem(vol);
        controller.controllerUnpublishVolume(ControllerUnpublishVolumeRequest.newBuilder().setVolumeId(vol)
                .setNodeId(NODE).build());
        controller.deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId(vol).build());
    }

    @Test
    void aVolumeIsConnectedAgainAfterItsEngineWasKilledAndRestarted() throws Exception {
        String vol = create("vm-restart", 64 * MIB);
        controller.controllerPublishVolume(ControllerPublishVolumeRequest.newBuilder().setVolumeId(vol).setNodeId(NODE)
                .setVolumeCapability(MOUNT).build());
        stageAndPublish(vol);
        String dev = device(vol);
        String sha = writeData(vol);

        long enginePid = enginePid(vol);
        ProcessHandle engine = ProcessHandle.of(enginePid).orElseThrow();
        engine.destroyForcibly();
        engine.onExit().get(30, TimeUnit.SECONDS);
        // The manager starts the engine again over the same replica and shows its export.
        await("a new engine of " + vol, Duration.ofSeconds(120), () -> {
            try {
                long pid = enginePid(vol);
                JsonNode v = volume(vol);
                return pid != enginePid && pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                        && "attached".equals(v.path("state").asText()) && !v.path("endpoint").asText().isEmpty()
                        && "healthy".equals(v.path("robustness").asText());
            } catch (Exception e) {
                return false;
            }
        });
        assertNotEquals(enginePid, enginePid(vol));

        // The old device's connection died with the engine: reading it fails.
        Exec.Result read = guest.shell("/usr/bin/dd if=" + dev + " of=/dev/null bs=4096 count=1 iflag=direct", 90);
        assertNotEquals(0, read.code(), "reading " + dev + " after its engine was killed: " + read.output());
        // Kubelet restarts the pod: unpublish and unstage
        // let go of the dead device, stage connects a new one to the new engine's export.
        unpublishAndUnstage(vol);
        assertFalse(guest.exists(Path.of(sysBlock(dev), "pid")), dev + " is still connected");
        assertNothingLeft(vol);
        stageAndPublish(vol);
        device(vol);
        assertData(vol, sha);
        assertTrue(condition(vol).contains("kernel NBD client"), condition(vol));

        unpublishAndUnstage(vol);
        assertNothingLeft(vol);
        assertCleanFileSystem(vol);
        controller.controllerUnpublishVolume(ControllerUnpublishVolumeRequest.newBuilder().setVolumeId(vol)
                .setNodeId(NODE).build());
        controller.deleteVolume(DeleteVolumeRequest.newBuilder().setVolumeId(vol).build());
    }

    /** The pid of the volume's engine process, from the manager's instance records; 0 when none. */
    static long enginePid(String vol) throws Exception {
        List<Long> pids = new ArrayList<>();
        Path records = dir.resolve("data/instances");
        if (Files.isDirectory(records)) {
            try (Stream<Path> files = Files.list(records)) {
                for (Path f : files.filter(x -> x.toString().endsWith(".json")).toList()) {
                    JsonNode r;
                    try {
                        r = JSON.readTree(f.toFile());
                    } catch (java.io.IOException e) {
                        continue; // being rewritten
                    }
                    if ("ENGINE".equalsIgnoreCase(r.path("kind").asText()) && vol.equals(r.path("volumeName").asText())) {
                        pids.add(r.path("pid").asLong());
                    }
                }
            }
        }
        return pids.isEmpty() ? 0 : pids.getFirst();
    }
}
