package io.longhorn.api.auth;

import io.longhorn.api.wire.Hello;

import java.nio.ByteBuffer;

/**
 * The mutual challenge-response that opens a data connection when the volume has a secret. Both
 * sides pick a fresh 32-byte nonce; each proves it holds the secret with an HMAC-SHA256 over both
 * nonces, the whole hello (volume, engine id, generation) and its own role, so that
 * <ul>
 *   <li>a reader's proof does not admit a writer (a read-only hello is bound as such),</li>
 *   <li>a proof cannot be replayed on another connection (the other side's nonce is new),</li>
 *   <li>a proof for one volume, engine or generation does not admit another, and</li>
 *   <li>a replica's proof is no engine's proof (the role is part of the MAC), so an impostor
 *       cannot reflect one side's answer back to it.</li>
 * </ul>
 * The exchange, before any data frame (see {@link io.longhorn.api.wire.MessageType#AUTH}):
 * <pre>
 *  client → AUTH   request, payload: client nonce Nc (32 bytes)
 *  replica ← AUTH  reply OK, payload: replica nonce Nr (32 bytes; empty when the replica has no secret)
 *  client → HELLO  request, payload: the hello, then u16 32 and the client proof
 *  replica ← HELLO reply OK, payload: the replica proof (32 bytes)  -- or EACCES, and the connection closes
 * </pre>
 * The client checks the replica proof before it sends a byte of data: an engine never writes to
 * an impostor. Without TLS the bytes that follow are not protected against an attacker who can
 * alter traffic on the path; the handshake keeps out whoever merely reaches the port.
 */
public final class DataAuth {
    /** Bytes of a nonce and of a proof. */
    public static final int NONCE_SIZE = 32;
    public static final int PROOF_SIZE = 32;
    private static final byte[] LABEL = VolumeSecret.utf8("longhorn-data/1");
    private static final byte[] CLIENT = VolumeSecret.utf8("client");
    private static final byte[] REPLICA = VolumeSecret.utf8("replica");
    private static final byte[] READ_ONLY = VolumeSecret.utf8("read-only");

    private DataAuth() {
    }

    /** What a client sends to prove itself. */
    public static byte[] clientProof(VolumeSecret secret, byte[] clientNonce, byte[] replicaNonce, Hello hello) {
        return secret.mac(LABEL, CLIENT, clientNonce, replicaNonce, bound(hello));
    }

    /** What a replica answers to prove itself. */
    public static byte[] replicaProof(VolumeSecret secret, byte[] clientNonce, byte[] replicaNonce, Hello hello) {
        return secret.mac(LABEL, REPLICA, clientNonce, replicaNonce, bound(hello));
    }

    public static boolean verifyClient(VolumeSecret secret, byte[] proof, byte[] clientNonce, byte[] replicaNonce,
                                       Hello hello) {
        return secret.verify(proof, LABEL, CLIENT, clientNonce, replicaNonce, bound(hello));
    }

    public static boolean verifyReplica(VolumeSecret secret, byte[] proof, byte[] clientNonce, byte[] replicaNonce,
                                        Hello hello) {
        return secret.verify(proof, LABEL, REPLICA, clientNonce, replicaNonce, bound(hello));
    }

    /**
     * The hello as the MAC sees it: its payload and its generation, and for a reader a marker, so
     * that a reader's proof cannot be turned into a writer's by clearing the flag.
     */
    private static byte[] bound(Hello hello) {
        ByteBuffer p = hello.payload();
        byte[] marker = hello.readOnly() ? READ_ONLY : new byte[0];
        ByteBuffer b = ByteBuffer.allocate(8 + p.remaining() + marker.length);
        b.putLong(hello.generation()).put(p).put(marker);
        return b.array();
    }
}
