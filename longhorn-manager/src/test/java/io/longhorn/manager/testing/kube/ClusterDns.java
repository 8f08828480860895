package io.longhorn.manager.testing.kube;

import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The test cluster's DNS: answers the A queries of pods for {@code <service>.<namespace>.svc.<domain>}
 * with the Service's cluster IP (a headless Service: its ready endpoints' addresses), looked up in
 * the API server at each query, as a cluster's DNS add-on does. Every other name in the cluster
 * domain is NXDOMAIN; names outside it are REFUSED, so no query leaves the machine. The kubelet
 * gives pods this server ({@code clusterDNS}) with the usual search path
 * ({@code <namespace>.svc.<domain> svc.<domain> <domain>}), so {@code minio-service.default} and
 * {@code longhorn-backend} resolve in pods as they do in a real cluster.
 */
final class ClusterDns implements AutoCloseable {
    static final String DOMAIN = "cluster.local";
    private static final int TYPE_A = 1;
    private static final int CLASS_IN = 1;
    private static final int NOERROR = 0;
    private static final int FORMERR = 1;
    private static final int NXDOMAIN = 3;
    private static final int REFUSED = 5;
    private static final int TTL_SECONDS = 5;

    private final KubernetesClient client;
    private final DatagramSocket socket;
    private final Thread thread;

    private ClusterDns(KubernetesClient client, DatagramSocket socket) {
        this.client = client;
        this.socket = socket;
        this.thread = Thread.ofPlatform().daemon().name("cluster-dns").start(this::serve);
    }

    /** Serves on {@code address:53} (UDP) until closed. */
    static ClusterDns start(KubernetesClient client, String address) throws IOException {
        return new ClusterDns(client, new DatagramSocket(new InetSocketAddress(InetAddress.getByName(address), 53)));
    }

    private void serve() {
        byte[] buf = new byte[512];
        while (!socket.isClosed()) {
            DatagramPacket in = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(in);
                byte[] answer = answer(ByteBuffer.wrap(in.getData(), 0, in.getLength()));
                if (answer != null) {
                    socket.send(new DatagramPacket(answer, answer.length, in.getSocketAddress()));
                }
            } catch (SocketException closed) {
                return;
            } catch (IOException | RuntimeException e) {
                // one bad packet or a busy API server: the client retries
            }
        }
    }

    private byte[] answer(ByteBuffer q) {
        if (q.remaining() < 12) {
            return null;
        }
        int id = q.getShort() & 0xffff;
        int flags = q.getShort() & 0xffff;
        int qdcount = q.getShort() & 0xffff;
        q.position(12);
        if ((flags & 0x8000) != 0) {
            return null; // a response, not a query
        }
        int questionStart = q.position();
        List<String> labels = new ArrayList<>();
        int type;
        int klass;
        try {
            while (true) {
                int len = q.get() & 0xff;
                if (len == 0) {
                    break;
                }
                if (len > 63) {
                    return reply(id, flags, FORMERR, q, questionStart, questionStart, List.of());
                }
                byte[] label = new byte[len];
                q.get(label);
                labels.add(new String(label, java.nio.charset.StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT));
            }
            type = q.getShort() & 0xffff;
            klass = q.getShort() & 0xffff;
        } catch (java.nio.BufferUnderflowException e) {
            return reply(id, flags, FORMERR, q, questionStart, questionStart, List.of());
        }
        int questionEnd = q.position();
        if (qdcount != 1) {
            return reply(id, flags, FORMERR, q, questionStart, questionEnd, List.of());
        }
        String name = String.join(".", labels);
        if (!name.equals(DOMAIN) && !name.endsWith("." + DOMAIN)) {
            return reply(id, flags, REFUSED, q, questionStart, questionEnd, List.of());
        }
        List<String> addresses = lookup(labels);
        if (addresses == null) {
            return reply(id, flags, NXDOMAIN, q, questionStart, questionEnd, List.of());
        }
        // The name exists: AAAA and other types get an empty answer, A gets the addresses.
        return reply(id, flags, NOERROR, q, questionStart, questionEnd,
                type == TYPE_A && klass == CLASS_IN ? addresses : List.of());
    }

    /** The addresses of {@code <service>.<namespace>.svc.<domain>}, or null when no such Service exists. */
    private List<String> lookup(List<String> labels) {
        int domainLabels = DOMAIN.split("\\.").length;
        if (labels.size() != 3 + domainLabels || !labels.get(2).equals("svc")) {
            return null;
        }
        String service = labels.get(0);
        String namespace = labels.get(1);
        Service s = client.services().inNamespace(namespace).withName(service).get();
        if (s == null) {
            return null;
        }
        String clusterIp = s.getSpec().getClusterIP();
        if (clusterIp != null && !clusterIp.isBlank() && !"None".equals(clusterIp)) {
            return List.of(clusterIp);
        }
        List<String> ips = new ArrayList<>();
        Endpoints e = client.endpoints().inNamespace(namespace).withName(service).get();
        if (e != null && e.getSubsets() != null) {
            for (EndpointSubset subset : e.getSubsets()) {
                if (subset.getAddresses() != null) {
                    for (EndpointAddress a : subset.getAddresses()) {
                        ips.add(a.getIp());
                    }
                }
            }
        }
        return ips;
    }

    private static byte[] reply(int id, int queryFlags, int rcode, ByteBuffer q, int questionStart, int questionEnd,
                                List<String> addresses) {
        int questionLength = questionEnd - questionStart;
        ByteBuffer r = ByteBuffer.allocate(12 + questionLength + addresses.size() * 16);
        int opcodeAndRd = queryFlags & 0x7900;
        r.putShort((short) id);
        r.putShort((short) (0x8000 | opcodeAndRd | 0x0400 | rcode)); // QR, authoritative
        r.putShort((short) (questionLength > 0 ? 1 : 0));
        r.putShort((short) addresses.size());
        r.putShort((short) 0);
        r.putShort((short) 0);
        r.put(q.array(), q.arrayOffset() + questionStart, questionLength);
        for (String a : addresses) {
            r.putShort((short) 0xc00c); // the name of the question
            r.putShort((short) TYPE_A);
            r.putShort((short) CLASS_IN);
            r.putInt(TTL_SECONDS);
            r.putShort((short) 4);
            for (String octet : a.split("\\.")) {
                r.put((byte) Integer.parseInt(octet));
            }
        }
        return java.util.Arrays.copyOf(r.array(), r.position());
    }

    @Override
    public void close() {
        socket.close();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
