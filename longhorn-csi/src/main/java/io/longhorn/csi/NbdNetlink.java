package io.longhorn.csi;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Sets the size of a connected {@code /dev/nbdN} through the kernel NBD driver's generic netlink
 * family: {@code NBD_CMD_RECONFIGURE} with {@code NBD_ATTR_INDEX} and {@code NBD_ATTR_SIZE_BYTES}
 * (Linux 5.3 and later). Why: {@code nbd-client} learns the export's size once, at the handshake;
 * after the engine was expanded the kernel keeps serving the old size until told otherwise, and
 * {@code nbd-client} has no command that tells it. The kernel then announces the new capacity
 * ({@code set_capacity_and_notify}), so that {@code blockdev --getsize64} and the file system see it.
 *
 * <p>Only {@code java.base} is used (sockets through {@code java.lang.foreign}), so that {@link #main}
 * runs on a node with a bare runtime: {@code java -cp CLASSES io.longhorn.csi.NbdNetlink resize
 * /dev/nbd3 BYTES}. Errors are plain {@link IOException}s; the driver maps them to gRPC statuses.
 *
 * <p>Messages are built and read by pure functions ({@link #getFamily}, {@link #reconfigure},
 * {@link #familyId}, {@link #ack}), tested without a kernel. The constants are those of Linux's
 * {@code <linux/netlink.h>}, {@code <linux/genetlink.h>} and {@code <linux/nbd-netlink.h>}; netlink
 * headers are in the host's byte order.
 */
public final class NbdNetlink {
    static final int AF_NETLINK = 16;
    static final int NETLINK_GENERIC = 16;
    static final int SOCK_RAW = 3;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SO_RCVTIMEO = 20;

    static final short NLM_F_REQUEST = 0x01;
    static final short NLM_F_ACK = 0x04;
    static final short NLMSG_ERROR = 0x2;
    static final short NLMSG_DONE = 0x3;
    static final int NLMSG_HDRLEN = 16;
    static final int GENL_HDRLEN = 4;
    static final int NLA_HDRLEN = 4;
    /** Attribute type bits that are flags (nested, network byte order), not the type. */
    static final int NLA_TYPE_MASK = 0x3fff;

    /** The generic netlink controller: a fixed family id, and its commands and attributes. */
    static final short GENL_ID_CTRL = 0x10;
    static final byte CTRL_CMD_NEWFAMILY = 1;
    static final byte CTRL_CMD_GETFAMILY = 3;
    static final short CTRL_ATTR_FAMILY_ID = 1;
    static final short CTRL_ATTR_FAMILY_NAME = 2;

    static final String NBD_GENL_FAMILY_NAME = "nbd";
    static final byte NBD_GENL_VERSION = 1;
    static final byte NBD_CMD_RECONFIGURE = 3;
    static final short NBD_ATTR_INDEX = 1;
    static final short NBD_ATTR_SIZE_BYTES = 2;
    static final short NBD_ATTR_BACKEND_IDENTIFIER = 10;

    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final int RECEIVE_BUFFER = 64 * 1024;
    private static final int TIMEOUT_SECONDS = 10;

    /** A netlink request or socket call that failed, with the kernel's (or libc's) errno. */
    public static final class NetlinkException extends IOException {
        private final int errno;

        NetlinkException(int errno, String message) {
            super(message);
            this.errno = errno;
        }

        public int errno() {
            return errno;
        }
    }

    private NbdNetlink() {
    }

    /** Sets the size of {@code device} ({@code /dev/nbdN}, connected) to {@code bytes}. */
    public static void resize(String device, long bytes) throws IOException {
        int index = index(device);
        if (bytes <= 0 || bytes % 512 != 0) {
            throw new IllegalArgumentException("the size of " + device + " must be a positive multiple of 512 bytes, not "
                    + bytes);
        }
        String backend = backendOf(index);
        try (Socket s = Socket.open()) {
            int seq = (int) (System.nanoTime() & 0x3fffffff);
            s.send(getFamily(seq));
            short family = familyId(s.receiveUntilAck(seq), seq);
            s.send(reconfigure(family, seq + 1, index, bytes, backend));
            try {
                ack(s.receiveUntilAck(seq + 1), seq + 1);
            } catch (NetlinkException e) {
                throw new NetlinkException(e.errno(), "NBD_CMD_RECONFIGURE of " + device + " to " + bytes + " bytes failed: "
                        + e.getMessage() + reconfigureHint(e.errno()));
            }
        }
    }

    /** The index N of {@code /dev/nbdN}. */
    static int index(String device) {
        String name = Path.of(device).getFileName().toString();
        if (!name.matches("nbd[0-9]{1,6}")) {
            throw new IllegalArgumentException("not an NBD device: " + device + " (expected /dev/nbdN)");
        }
        return Integer.parseInt(name.substring(3));
    }

    /**
     * The backend identifier the device was connected with, or null: the kernel refuses a
     * reconfigure of such a device unless the request names the same backend.
     */
    private static String backendOf(int index) {
        Path f = Path.of("/sys/block/nbd" + index + "/backend");
        try {
            String b = Files.exists(f) ? Files.readString(f).strip() : "";
            return b.isEmpty() ? null : b;
        } catch (IOException e) {
            return null;
        }
    }

    private static String reconfigureHint(int errno) {
        return switch (errno) {
            case 1 -> " (it needs CAP_SYS_ADMIN)";
            case 22 -> " (the device is not connected, or connected by another backend, or the kernel predates 5.3)";
            default -> "";
        };
    }

    // ---- encoding ----------------------------------------------------------------------------

    /** {@code CTRL_CMD_GETFAMILY} for the family {@code "nbd"}, asking for an ACK. */
    static byte[] getFamily(int seq) {
        byte[] name = (NBD_GENL_FAMILY_NAME + "\0").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = message(GENL_ID_CTRL, seq, CTRL_CMD_GETFAMILY, (byte) 1, attrLength(name.length));
        attr(b, CTRL_ATTR_FAMILY_NAME, name);
        return b.array();
    }

    /**
     * {@code NBD_CMD_RECONFIGURE} of device {@code index} to {@code bytes}, asking for an ACK;
     * with {@code NBD_ATTR_BACKEND_IDENTIFIER} when {@code backend} is not null.
     */
    static byte[] reconfigure(short family, int seq, int index, long bytes, String backend) {
        byte[] id = backend == null ? null : (backend + "\0").getBytes(StandardCharsets.UTF_8);
        int payload = attrLength(4) + attrLength(8) + (id == null ? 0 : attrLength(id.length));
        ByteBuffer b = message(family, seq, NBD_CMD_RECONFIGURE, NBD_GENL_VERSION, payload);
        attr(b, NBD_ATTR_INDEX, ByteBuffer.allocate(4).order(ORDER).putInt(index).array());
        attr(b, NBD_ATTR_SIZE_BYTES, ByteBuffer.allocate(8).order(ORDER).putLong(bytes).array());
        if (id != null) {
            attr(b, NBD_ATTR_BACKEND_IDENTIFIER, id);
        }
        return b.array();
    }

    private static int align(int n) {
        return (n + 3) & ~3;
    }

    private static int attrLength(int payload) {
        return align(NLA_HDRLEN + payload);
    }

    /** A buffer holding the netlink and generic netlink headers, positioned at the attributes. */
    private static ByteBuffer message(short type, int seq, byte cmd, byte version, int attrs) {
        int length = NLMSG_HDRLEN + GENL_HDRLEN + attrs;
        ByteBuffer b = ByteBuffer.allocate(length).order(ORDER);
        b.putInt(length).putShort(type).putShort((short) (NLM_F_REQUEST | NLM_F_ACK)).putInt(seq).putInt(0); // port: the kernel's
        b.put(cmd).put(version).putShort((short) 0);
        return b;
    }

    private static void attr(ByteBuffer b, short type, byte[] value) {
        int start = b.position();
        b.putShort((short) (NLA_HDRLEN + value.length)).putShort(type).put(value);
        b.position(start + attrLength(value.length)); // the padding stays zero
    }

    // ---- decoding ----------------------------------------------------------------------------

    /** The family id in the controller's answer to {@link #getFamily}; the kernel's error as an exception. */
    static short familyId(ByteBuffer replies, int seq) throws NetlinkException {
        short id = -1;
        for (ByteBuffer m : messages(replies)) {
            short type = m.getShort(4);
            if (m.getInt(8) != seq) {
                continue;
            }
            if (type == NLMSG_ERROR) {
                int error = m.getInt(NLMSG_HDRLEN);
                if (error != 0) {
                    throw new NetlinkException(-error, "the kernel has no generic netlink family \"nbd\": "
                            + errnoName(-error) + (-error == 2 ? " (is the nbd module loaded?)" : ""));
                }
            } else if (type == GENL_ID_CTRL && m.get(NLMSG_HDRLEN) == CTRL_CMD_NEWFAMILY) {
                ByteBuffer a = m.slice(NLMSG_HDRLEN + GENL_HDRLEN, m.limit() - NLMSG_HDRLEN - GENL_HDRLEN).order(ORDER);
                while (a.remaining() >= NLA_HDRLEN) {
                    int len = a.getShort(a.position()) & 0xffff;
                    int atype = a.getShort(a.position() + 2) & NLA_TYPE_MASK;
                    if (len < NLA_HDRLEN || len > a.remaining()) {
                        break;
                    }
                    if (atype == CTRL_ATTR_FAMILY_ID && len >= NLA_HDRLEN + 2) {
                        id = a.getShort(a.position() + NLA_HDRLEN);
                    }
                    a.position(Math.min(a.limit(), a.position() + align(len)));
                }
            }
        }
        if (id < 0) {
            throw new NetlinkException(0, "the kernel's answer to CTRL_CMD_GETFAMILY \"nbd\" holds no family id");
        }
        return id;
    }

    /** Checks the ACK of request {@code seq}: a kernel error becomes a {@link NetlinkException}. */
    static void ack(ByteBuffer replies, int seq) throws NetlinkException {
        for (ByteBuffer m : messages(replies)) {
            if (m.getShort(4) == NLMSG_ERROR && m.getInt(8) == seq) {
                int error = m.getInt(NLMSG_HDRLEN);
                if (error != 0) {
                    throw new NetlinkException(-error, errnoName(-error));
                }
                return;
            }
        }
        throw new NetlinkException(0, "no acknowledgement of request " + seq + " from the kernel");
    }

    /** Whether the datagrams hold the ACK (or error) of request {@code seq}. */
    static boolean hasAck(ByteBuffer replies, int seq) {
        for (ByteBuffer m : messages(replies)) {
            if ((m.getShort(4) == NLMSG_ERROR || m.getShort(4) == NLMSG_DONE) && m.getInt(8) == seq) {
                return true;
            }
        }
        return false;
    }

    /** The netlink messages one after the other in {@code b} (each a buffer from its header to its end). */
    private static java.util.List<ByteBuffer> messages(ByteBuffer b) {
        java.util.List<ByteBuffer> out = new java.util.ArrayList<>();
        ByteBuffer in = b.duplicate().order(ORDER);
        while (in.remaining() >= NLMSG_HDRLEN) {
            int len = in.getInt(in.position());
            if (len < NLMSG_HDRLEN || len > in.remaining()) {
                break;
            }
            out.add(in.slice(in.position(), len).order(ORDER));
            in.position(Math.min(in.limit(), in.position() + align(len)));
        }
        return out;
    }

    private static final Map<Integer, String> ERRNO = Map.ofEntries(Map.entry(1, "EPERM"), Map.entry(2, "ENOENT"),
            Map.entry(5, "EIO"), Map.entry(6, "ENXIO"), Map.entry(11, "EAGAIN"), Map.entry(12, "ENOMEM"),
            Map.entry(13, "EACCES"), Map.entry(16, "EBUSY"), Map.entry(19, "ENODEV"), Map.entry(22, "EINVAL"),
            Map.entry(34, "ERANGE"), Map.entry(90, "EMSGSIZE"), Map.entry(93, "EPROTONOSUPPORT"),
            Map.entry(95, "EOPNOTSUPP"), Map.entry(97, "EAFNOSUPPORT"), Map.entry(524, "ENOTSUPP"));

    /** {@code EINVAL (errno 22)}. */
    static String errnoName(int errno) {
        return ERRNO.getOrDefault(errno, "error") + " (errno " + errno + ")";
    }

    // ---- the socket --------------------------------------------------------------------------

    /** The libc calls, bound on first use. */
    private static final class Native {
        static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
        static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
        static final MethodHandle SOCKET = bind("socket", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        static final MethodHandle SETSOCKOPT = bind("setsockopt", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        static final MethodHandle SENDTO = bind("sendto", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                ValueLayout.JAVA_INT));
        static final MethodHandle RECV = bind("recv", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
        static final MethodHandle CLOSE = bind("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

        static MethodHandle bind(String name, FunctionDescriptor d) {
            Linker linker = Linker.nativeLinker();
            return linker.downcallHandle(linker.defaultLookup().find(name)
                    .orElseThrow(() -> new IllegalStateException("libc has no " + name)), d, Linker.Option.captureCallState("errno"));
        }
    }

    /** A generic netlink socket: requests to the kernel, its answers read until the ACK. */
    private static final class Socket implements AutoCloseable {
        private final Arena arena = Arena.ofConfined();
        private final MemorySegment state = arena.allocate(Native.CALL_STATE);
        private final int fd;

        private Socket(int fd) {
            this.fd = fd;
        }

        static Socket open() throws IOException {
            Arena probe = Arena.ofConfined();
            int fd;
            int errno;
            try (probe) {
                MemorySegment st = probe.allocate(Native.CALL_STATE);
                fd = (int) Native.SOCKET.invokeExact(st, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
                errno = (int) Native.ERRNO.get(st, 0L);
            } catch (Throwable t) {
                throw rethrow("socket", t);
            }
            if (fd < 0) {
                throw new NetlinkException(errno, "cannot open a generic netlink socket: " + errnoName(errno));
            }
            Socket s = new Socket(fd);
            try {
                // A kernel that does not answer must not hang the caller: recv gives up after the timeout.
                MemorySegment tv = s.arena.allocate(16, 8);
                tv.set(ValueLayout.JAVA_LONG, 0, TIMEOUT_SECONDS);
                tv.set(ValueLayout.JAVA_LONG, 8, 0);
                int rc = (int) Native.SETSOCKOPT.invokeExact(s.state, fd, SOL_SOCKET, SO_RCVTIMEO, tv, 16);
                if (rc < 0) {
                    int e = s.errno();
                    throw new NetlinkException(e, "setsockopt(SO_RCVTIMEO) on a netlink socket: " + errnoName(e));
                }
            } catch (Throwable t) {
                s.close();
                throw rethrow("setsockopt", t);
            }
            return s;
        }

        private int errno() {
            return (int) Native.ERRNO.get(state, 0L);
        }

        void send(byte[] message) throws IOException {
            MemorySegment buf = arena.allocate(message.length);
            buf.copyFrom(MemorySegment.ofArray(message));
            MemorySegment kernel = arena.allocate(12, 4); // sockaddr_nl: family, pad, port 0 (the kernel), groups 0
            kernel.set(ValueLayout.JAVA_SHORT, 0, (short) AF_NETLINK);
            long n;
            try {
                n = (long) Native.SENDTO.invokeExact(state, fd, buf, (long) message.length, 0, kernel, 12);
            } catch (Throwable t) {
                throw rethrow("sendto", t);
            }
            if (n != message.length) {
                int e = errno();
                throw new NetlinkException(e, "sending a netlink request failed: " + (n < 0 ? errnoName(e) : "short write " + n));
            }
        }

        /** Reads the kernel's datagrams until the one holding the ACK of {@code seq}; all of them, in order. */
        ByteBuffer receiveUntilAck(int seq) throws IOException {
            ByteBuffer all = ByteBuffer.allocate(0);
            MemorySegment buf = arena.allocate(RECEIVE_BUFFER);
            while (!hasAck(all, seq)) {
                long n;
                try {
                    n = (long) Native.RECV.invokeExact(state, fd, buf, (long) RECEIVE_BUFFER, 0);
                } catch (Throwable t) {
                    throw rethrow("recv", t);
                }
                if (n < 0) {
                    int e = errno();
                    throw new NetlinkException(e, e == 11 ? "no answer from the kernel within " + TIMEOUT_SECONDS + " s"
                            : "receiving from a netlink socket failed: " + errnoName(e));
                }
                if (n == 0) {
                    throw new NetlinkException(0, "the netlink socket returned nothing");
                }
                // Datagrams one after the other, each padded to the alignment of a message.
                ByteBuffer grown = ByteBuffer.allocate(all.limit() + align((int) n)).order(ORDER);
                grown.put(all.rewind()).put(buf.asSlice(0, n).asByteBuffer());
                all = grown.position(grown.capacity()).flip();
            }
            return all;
        }

        @Override
        public void close() {
            try {
                int ignored = (int) Native.CLOSE.invokeExact(state, fd);
            } catch (Throwable t) {
                // closing a socket we opened does not fail in a way the caller could act on
            } finally {
                arena.close();
            }
        }

        private static IOException rethrow(String call, Throwable t) {
            if (t instanceof IOException io) {
                return io;
            }
            if (t instanceof RuntimeException r) {
                throw r;
            }
            if (t instanceof Error e) {
                throw e;
            }
            return new IOException(call + " could not be called: " + t, t);
        }
    }

    /** {@code resize /dev/nbdN BYTES}: exit 0 when the kernel took the size, 1 with the reason on stderr, 2 for bad usage. */
    public static void main(String[] args) {
        if (args.length != 3 || !args[0].equals("resize")) {
            System.err.println("usage: java -cp CLASSES " + NbdNetlink.class.getName() + " resize /dev/nbdN BYTES");
            System.exit(2);
        }
        try {
            resize(args[1], Long.parseLong(args[2]));
        } catch (NumberFormatException e) {
            System.err.println("not a size in bytes: " + args[2]);
            System.exit(2);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
        } catch (IOException | RuntimeException e) {
            System.err.println(e.getMessage());
            System.exit(1);
        }
    }
}
