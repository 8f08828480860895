package io.longhorn.engine.frontend.nbd;

/**
 * Constants of the NBD protocol (newstyle fixed negotiation, simple and structured replies),
 * as named in the protocol document. All integers on the wire are big-endian.
 */
final class NbdProtocol {

    private NbdProtocol() {
    }

    // Handshake.
    static final long NBDMAGIC = 0x4e42444d41474943L;          // "NBDMAGIC"
    static final long IHAVEOPT = 0x49484156454F5054L;          // "IHAVEOPT"
    static final long OPTION_REPLY_MAGIC = 0x3e889045565a9L;

    static final int FLAG_FIXED_NEWSTYLE = 1;
    static final int FLAG_NO_ZEROES = 1 << 1;
    static final int FLAG_C_FIXED_NEWSTYLE = 1;
    static final int FLAG_C_NO_ZEROES = 1 << 1;

    // Options.
    static final int OPT_EXPORT_NAME = 1;
    static final int OPT_ABORT = 2;
    static final int OPT_LIST = 3;
    static final int OPT_STARTTLS = 5;
    static final int OPT_INFO = 6;
    static final int OPT_GO = 7;
    static final int OPT_STRUCTURED_REPLY = 8;

    // Option replies.
    static final int REP_ACK = 1;
    static final int REP_SERVER = 2;
    static final int REP_INFO = 3;
    static final int REP_ERR_UNSUP = 0x80000001;
    static final int REP_ERR_POLICY = 0x80000002;
    static final int REP_ERR_INVALID = 0x80000003;
    static final int REP_ERR_UNKNOWN = 0x80000006;
    static final int REP_ERR_SHUTDOWN = 0x80000007;

    // Information types in NBD_REP_INFO.
    static final int INFO_EXPORT = 0;
    static final int INFO_NAME = 1;
    static final int INFO_DESCRIPTION = 2;
    static final int INFO_BLOCK_SIZE = 3;

    // Transmission flags.
    static final int TFLAG_HAS_FLAGS = 1;
    static final int TFLAG_READ_ONLY = 1 << 1;
    static final int TFLAG_SEND_FLUSH = 1 << 2;
    static final int TFLAG_SEND_FUA = 1 << 3;
    static final int TFLAG_ROTATIONAL = 1 << 4;
    static final int TFLAG_SEND_TRIM = 1 << 5;
    static final int TFLAG_SEND_WRITE_ZEROES = 1 << 6;
    static final int TFLAG_SEND_DF = 1 << 7;
    static final int TFLAG_CAN_MULTI_CONN = 1 << 8;

    // Transmission.
    static final int REQUEST_MAGIC = 0x25609513;
    static final int SIMPLE_REPLY_MAGIC = 0x67446698;
    static final int STRUCTURED_REPLY_MAGIC = 0x668e33ef;
    static final int REQUEST_HEADER_LENGTH = 28;
    static final int SIMPLE_REPLY_LENGTH = 16;
    static final int CHUNK_HEADER_LENGTH = 20;

    static final int CMD_READ = 0;
    static final int CMD_WRITE = 1;
    static final int CMD_DISC = 2;
    static final int CMD_FLUSH = 3;
    static final int CMD_TRIM = 4;
    static final int CMD_WRITE_ZEROES = 6;

    static final int CMD_FLAG_FUA = 1;
    static final int CMD_FLAG_NO_HOLE = 1 << 1;
    static final int CMD_FLAG_DF = 1 << 2;

    static final int REPLY_FLAG_DONE = 1;
    static final int REPLY_TYPE_OFFSET_DATA = 1;
    static final int REPLY_TYPE_ERROR = 0x8001;

    // Block sizes advertised with NBD_INFO_BLOCK_SIZE.
    static final int MIN_BLOCK_SIZE = 1;
    static final int PREFERRED_BLOCK_SIZE = 4096;
    static final int MAX_PAYLOAD = 32 * 1024 * 1024;

    static String commandName(int type) {
        return switch (type) {
            case CMD_READ -> "READ";
            case CMD_WRITE -> "WRITE";
            case CMD_DISC -> "DISC";
            case CMD_FLUSH -> "FLUSH";
            case CMD_TRIM -> "TRIM";
            case CMD_WRITE_ZEROES -> "WRITE_ZEROES";
            default -> "CMD_" + type;
        };
    }
}
