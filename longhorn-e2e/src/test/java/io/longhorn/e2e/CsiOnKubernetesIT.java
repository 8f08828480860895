package io.longhorn.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.longhorn.manager.testing.kube.KubeCluster;
import io.longhorn.manager.testing.kube.KubeControlPlane;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * PVCs that become Longhorn volumes, on a real single-node cluster with the CSI driver of
 * {@code deploy/longhorn.yaml} (its sidecars in images the build makes): the seed's
 * {@code examples/storageclass.yaml} and {@code examples/pvc.yaml} (the Pod's image replaced by one
 * we build, the spec otherwise the seed's); the Pod writes a file, is deleted, and a new Pod reads
 * it back; a VolumeSnapshot and a PVC restored from it; a backup-class snapshot and a PVC restored
 * from the backup; the PVC expanded while detached and its file system grown at the next mount; a clone; a
 * {@code Block} mode PVC; a PVC of an xfs class expanded while its Pod runs, the mounted file system
 * grown. This node has no kernel NBD client, so the driver attaches through its userspace path (the
 * export as a FUSE file the driver serves, and a loop device); the kernel path is tested in a VM
 * (KernelNbdVmIT).
 */
class CsiOnKubernetesIT {
    private static final String IMAGE = "longhorn-java/longhorn-csi:0.1.0-SNAPSHOT";
    private static final List<String> IMAGES = Longhorn.IMAGES;

    private Longhorn lh;

    @Test
    void pvcsSnapshotsRestoresExpansionClonesAndBlockVolumes() throws Exception {
        Path root = KubeControlPlane.repositoryRoot();
        Longhorn.requireImages(root, IMAGES);
        List<ProcessHandle> before = Longhorn.children();
        KubeCluster cluster = KubeCluster.start();
        lh = new Longhorn(cluster);
        try {
            lh.importImages(IMAGES);
            String api = lh.install();
            lh.put(api + "/v1/settings/replica-soft-anti-affinity", "{\"value\":\"true\"}");
            lh.kubectl("apply", "-f", root.resolve("deploy/snapshot-controller.yaml").toString());
            lh.testBackupTarget();
            Longhorn.await("the CSI plugin and sidecars Ready", () -> {
                List<Pod> pods = lh.client().pods().inNamespace(Longhorn.NS).list().getItems().stream()
                        .filter(p -> p.getMetadata().getName().startsWith("csi-")
                                || p.getMetadata().getName().startsWith("longhorn-csi-plugin")).toList();
                return pods.size() == 5 && pods.stream().allMatch(Longhorn::ready);
            });
            Longhorn.await("the node's CSI driver registered", () -> {
                var node = lh.client().storage().v1().csiNodes().withName(KubeCluster.NODE_NAME).get();
                return node != null && node.getSpec().getDrivers().stream().anyMatch(d -> d.getName().equals("driver.longhorn.io"));
            });
            lh.kubectl("apply", "-f", root.resolve("examples/storageclass.yaml").toString());
            lh.kubectl("apply", "-f", root.resolve("examples/snapshotclass.yaml").toString());

            // The seed's PVC and Pod; the Pod writes a file, is deleted, and a new one reads it.
            String pvcYaml = Files.readString(root.resolve("examples/pvc.yaml"));
            String ours = pvcYaml.replace("    image: nginx:stable-alpine\n", "    image: " + IMAGE + "\n"
                    + "    command: [\"/bin/sh\", \"-c\", \"trap 'exit 0' TERM; while true; do sleep 1; done\"]\n");
            assertTrue(!ours.equals(pvcYaml), "examples/pvc.yaml runs nginx:stable-alpine, which this test replaces");
            lh.kubectl("apply", "-f", temp(ours).toString());
            awaitRunning("volume-test");
            exec("volume-test", "echo longhorn-e2e > /data/file && sync");
            assertTrue(exec("volume-test", "grep /data /proc/mounts").startsWith("/dev/loop"),
                    "the volume is a block device (the userspace path's loop device) mounted at /data");
            com.fasterxml.jackson.databind.JsonNode modules = Longhorn.json(lh.get(api + "/v1/nodes")).path("data").path(0)
                    .path("conditions").path("KernelModulesLoaded");
            assertEquals("False", modules.path("status").asText(), "the node says it lacks nbd: " + modules);
            assertTrue(modules.path("message").asText().contains("userspace path"), modules.toString());
            deletePod("volume-test");
            pod("reader", "longhorn-volv-pvc", false);
            assertEquals("longhorn-e2e", exec("reader", "cat /data/file").strip(), "the file outlives its Pod");

            // A snapshot inside the volume, and a PVC restored from it.
            lh.kubectl("apply", "-f", temp(snapshot("snap-1", "longhorn")).toString());
            awaitSnapshotReady("snap-1");
            lh.kubectl("apply", "-f", temp(restoredPvc("from-snap", "snap-1", "VolumeSnapshot",
                    "snapshot.storage.k8s.io", "2Gi", "Filesystem")).toString());
            pod("from-snap", "from-snap", false);
            assertEquals("longhorn-e2e", exec("from-snap", "cat /data/file").strip(), "restored from the snapshot");
            deletePod("from-snap");

            // A backup-class snapshot, and a PVC restored from the backup.
            lh.kubectl("apply", "-f", temp(snapshot("bak-1", "longhorn-backup")).toString());
            awaitSnapshotReady("bak-1");
            lh.kubectl("apply", "-f", temp(restoredPvc("from-bak", "bak-1", "VolumeSnapshot",
                    "snapshot.storage.k8s.io", "2Gi", "Filesystem")).toString());
            pod("from-bak", "from-bak", false);
            assertEquals("longhorn-e2e", exec("from-bak", "cat /data/file").strip(), "restored from the backup");
            deletePod("from-bak");

            // The PVC grown while no Pod uses it (a connected device keeps its size: the file
            // system grows when the volume is staged next, here for the next Pod).
            long sizeBefore = fsBytes("reader");
            deletePod("reader");
            Longhorn.await("the volume detached", () -> "detached".equals(lh.volume(pvName("longhorn-volv-pvc")).path("state").asText()));
            lh.client().persistentVolumeClaims().inNamespace("default").withName("longhorn-volv-pvc")
                    .edit(p -> {
                        p.getSpec().getResources().getRequests().put("storage", new Quantity("3Gi"));
                        return p;
                    });
            Longhorn.await("the PVC at 3Gi", () -> {
                PersistentVolumeClaim p = lh.client().persistentVolumeClaims().inNamespace("default").withName("longhorn-volv-pvc").get();
                return p.getStatus().getCapacity() != null && "3Gi".equals(p.getStatus().getCapacity().get("storage").toString());
            });
            pod("grown", "longhorn-volv-pvc", false);
            assertTrue(fsBytes("grown") > sizeBefore + (512L << 20), "the file system grew with the volume: "
                    + sizeBefore + " -> " + fsBytes("grown") + " bytes");
            assertEquals("longhorn-e2e", exec("grown", "cat /data/file").strip(), "the data after the expansion");

            // A clone of the PVC.
            lh.kubectl("apply", "-f", temp(restoredPvc("clone", "longhorn-volv-pvc", "PersistentVolumeClaim", "", "3Gi",
                    "Filesystem")).toString());
            pod("clone", "clone", false);
            assertEquals("longhorn-e2e", exec("clone", "cat /data/file").strip(), "the clone holds the source's data");
            deletePod("clone");

            // A Block mode PVC: the Pod gets the device itself.
            lh.kubectl("apply", "-f", temp("""
                    apiVersion: v1
                    kind: PersistentVolumeClaim
                    metadata:
                      name: block
                    spec:
                      accessModes: ["ReadWriteOnce"]
                      volumeMode: Block
                      storageClassName: longhorn
                      resources:
                        requests:
                          storage: 64Mi
                    """).toString());
            pod("block", "block", true);
            exec("block", "printf longhorn-block | dd of=/dev/xvda bs=512 conv=fsync,notrunc 2>/dev/null");
            assertEquals("longhorn-block", exec("block", "dd if=/dev/xvda bs=14 count=1 2>/dev/null").strip(),
                    "written to and read from the raw device");

            // A PVC grown while its Pod uses it: the device in use and the mounted file system follow.
            // xfs: a mounted ext4 grows only with CAP_SYS_RESOURCE, which this machine withholds.
            String xfsClass = Files.readString(root.resolve("examples/storageclass.yaml"))
                    .replace("  name: longhorn\n", "  name: longhorn-xfs\n")
                    .replace("is-default-class: \"true\"", "is-default-class: \"false\"")
                    .replace("fsType: \"ext4\"", "fsType: \"xfs\"")
                    .replace("numberOfReplicas: \"3\"", "numberOfReplicas: \"1\"");
            assertTrue(xfsClass.contains("fsType: \"xfs\"") && xfsClass.contains("name: longhorn-xfs"), xfsClass);
            lh.kubectl("apply", "-f", temp(xfsClass).toString());
            lh.kubectl("apply", "-f", temp("""
                    apiVersion: v1
                    kind: PersistentVolumeClaim
                    metadata:
                      name: online
                    spec:
                      accessModes: ["ReadWriteOnce"]
                      storageClassName: longhorn-xfs
                      resources:
                        requests:
                          storage: 1Gi
                    """).toString());
            pod("online", "online", false);
            exec("online", "echo grown-while-mounted > /data/file && sync");
            long onlineBefore = fsBytes("online");
            lh.client().persistentVolumeClaims().inNamespace("default").withName("online")
                    .edit(p -> {
                        p.getSpec().getResources().getRequests().put("storage", new Quantity("2Gi"));
                        return p;
                    });
            Longhorn.await("the mounted PVC at 2Gi", () -> {
                PersistentVolumeClaim p = lh.client().persistentVolumeClaims().inNamespace("default").withName("online").get();
                return p.getStatus().getCapacity() != null && "2Gi".equals(p.getStatus().getCapacity().get("storage").toString());
            });
            Longhorn.await("the mounted file system grown", () -> fsBytes("online") > onlineBefore + (768L << 20));
            assertEquals("grown-while-mounted", exec("online", "cat /data/file").strip(), "the data after growing online");
            assertTrue(exec("online", "grep /data /proc/mounts").startsWith("/dev/loop"), "still the same kind of device");

            // Everything deleted: the PVs go (reclaim policy Delete) and so do their Longhorn volumes.
            for (String pod : List.of("block", "grown", "online")) {
                deletePod(pod);
            }
            lh.client().persistentVolumeClaims().inNamespace("default").delete();
            lh.kubectl("delete", "volumesnapshots", "--all", "-n", "default", "--wait=false");
            Longhorn.await("every PV and Longhorn volume gone", () -> lh.client().persistentVolumes().list().getItems().isEmpty()
                    && Longhorn.json(lh.get(api + "/v1/volumes")).path("data").isEmpty());
            assertEquals(List.of(), Longhorn.replicaData(), "no replica data left");
        } catch (AssertionError | Exception e) {
            throw new AssertionError(lh.diagnosis(e, "volume-test", "reader", "from-snap", "from-bak",
                    "clone", "block", "grown", "online"), e);
        } finally {
            cluster.close();
        }
        assertEquals(List.of(), cluster.leftovers(), "the teardown leaves nothing on the host");
        assertEquals(before.size(), Longhorn.children().size(), "every process stopped");
    }

    /** A Pod of our image mounting the PVC at /data (or, for a Block PVC, its device at /dev/xvda), Running. */
    private void pod(String name, String pvc, boolean block) throws Exception {
        String mount = block
                ? "    volumeDevices:\n    - name: vol\n      devicePath: /dev/xvda\n"
                : "    volumeMounts:\n    - name: vol\n      mountPath: /data\n";
        lh.kubectl("apply", "-f", temp("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: %s
                  namespace: default
                spec:
                  containers:
                  - name: c
                    image: %s
                    imagePullPolicy: IfNotPresent
                    command: ["/bin/sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
                %s  volumes:
                  - name: vol
                    persistentVolumeClaim:
                      claimName: %s
                """.formatted(name, IMAGE, mount, pvc)).toString());
        awaitRunning(name);
    }

    /** The Longhorn volume of a PVC: its PV's name. */
    private String pvName(String pvc) {
        return lh.client().persistentVolumeClaims().inNamespace("default").withName(pvc).get().getSpec().getVolumeName();
    }

    private void awaitRunning(String pod) throws Exception {
        Longhorn.await("pod " + pod + " Ready", () -> Longhorn.ready(lh.client().pods().inNamespace("default").withName(pod).get()));
    }

    private void deletePod(String pod) throws Exception {
        lh.client().pods().inNamespace("default").withName(pod).delete();
        Longhorn.await("pod " + pod + " gone", () -> lh.client().pods().inNamespace("default").withName(pod).get() == null);
    }

    private String exec(String pod, String script) throws IOException, InterruptedException {
        return lh.kubectl("exec", "-n", "default", pod, "--", "/bin/sh", "-c", script);
    }

    private long fsBytes(String pod) throws IOException, InterruptedException {
        String[] lines = exec(pod, "df -k /data").strip().split("\n");
        return Long.parseLong(lines[lines.length - 1].trim().split("\\s+")[1]) * 1024;
    }

    private void awaitSnapshotReady(String name) throws Exception {
        Longhorn.await("VolumeSnapshot " + name + " ready to use", () -> lh.kubectl("get", "volumesnapshot", name, "-n", "default",
                "-o", "jsonpath={.status.readyToUse}").strip().equals("true"));
    }

    private static String snapshot(String name, String klass) {
        return """
                apiVersion: snapshot.storage.k8s.io/v1
                kind: VolumeSnapshot
                metadata:
                  name: %s
                  namespace: default
                spec:
                  volumeSnapshotClassName: %s
                  source:
                    persistentVolumeClaimName: longhorn-volv-pvc
                """.formatted(name, klass);
    }

    private static String restoredPvc(String name, String source, String kind, String apiGroup, String size, String mode) {
        return """
                apiVersion: v1
                kind: PersistentVolumeClaim
                metadata:
                  name: %s
                  namespace: default
                spec:
                  storageClassName: longhorn
                  volumeMode: %s
                  dataSource:
                    name: %s
                    kind: %s
                %s  accessModes: ["ReadWriteOnce"]
                  resources:
                    requests:
                      storage: %s
                """.formatted(name, mode, source, kind, apiGroup.isEmpty() ? "" : "    apiGroup: " + apiGroup + "\n", size);
    }

    private static Path temp(String yaml) throws IOException {
        Path f = Files.createTempFile("longhorn-e2e-", ".yaml");
        f.toFile().deleteOnExit();
        Files.writeString(f, yaml);
        return f;
    }
}
