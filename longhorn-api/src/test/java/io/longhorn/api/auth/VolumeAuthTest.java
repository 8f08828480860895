package io.longhorn.api.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.longhorn.api.wire.Hello;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VolumeAuthTest {
    static final String METHOD = "longhorn.replica.ReplicaService/SetGeneration";

    @TempDir
    Path dir;

    @Test
    void aSecretFileIsCreatedOwnerOnlyAndReadBackTheSame() throws Exception {
        Path f = dir.resolve("s/vol1.secret");
        VolumeSecret created = VolumeSecret.createIfMissing(f);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        assertEquals(VolumeSecret.SIZE, Files.size(f));
        assertArrayEquals(created.bytes(), VolumeSecret.load(f).bytes());
        assertArrayEquals(created.bytes(), VolumeSecret.createIfMissing(f).bytes());
        assertFalse(created.toString().contains("="), created.toString());
    }

    @Test
    void aSecretFileOthersCanReadOrOfTheWrongSizeIsRefused() throws Exception {
        Path open = dir.resolve("open");
        Files.write(open, new byte[32]);
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
        IOException e = assertThrows(IOException.class, () -> VolumeSecret.load(open));
        assertTrue(e.getMessage().contains("owner only"), e.getMessage());
        Path shortFile = dir.resolve("short");
        Files.write(shortFile, new byte[31]);
        Files.setPosixFilePermissions(shortFile, PosixFilePermissions.fromString("rw-------"));
        e = assertThrows(IOException.class, () -> VolumeSecret.load(shortFile));
        assertTrue(e.getMessage().contains("31 bytes"), e.getMessage());
    }

    @Test
    void dataProofsBindBothNoncesTheHelloAndTheRole() {
        VolumeSecret s = VolumeSecret.generate();
        byte[] nc = VolumeSecret.randomBytes(32);
        byte[] nr = VolumeSecret.randomBytes(32);
        Hello h = new Hello("vol1", 3, "e1");
        byte[] client = DataAuth.clientProof(s, nc, nr, h);
        assertTrue(DataAuth.verifyClient(s, client, nc, nr, h));
        assertFalse(DataAuth.verifyReplica(s, client, nc, nr, h), "a client proof is no replica proof");
        assertFalse(DataAuth.verifyClient(s, client, nc, VolumeSecret.randomBytes(32), h));
        assertFalse(DataAuth.verifyClient(s, client, nc, nr, new Hello("vol1", 4, "e1")));
        assertFalse(DataAuth.verifyClient(s, client, nc, nr, new Hello("vol2", 3, "e1")));
        assertFalse(DataAuth.verifyClient(VolumeSecret.generate(), client, nc, nr, h));
        assertFalse(DataAuth.verifyClient(s, null, nc, nr, h));
        // A reader's proof does not admit a writer with the same names, nor the other way round.
        Hello reader = new Hello("vol1", 3, "e1", true);
        assertFalse(DataAuth.verifyClient(s, client, nc, nr, reader));
        assertTrue(DataAuth.verifyClient(s, DataAuth.clientProof(s, nc, nr, reader), nc, nr, reader));
        assertFalse(DataAuth.verifyClient(s, DataAuth.clientProof(s, nc, nr, reader), nc, nr, h));
    }

    @Test
    void aGoodCallIsAdmittedOnce() {
        VolumeSecret s = VolumeSecret.generate();
        Clock clock = Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC);
        GrpcAuthServer server = new GrpcAuthServer(s, "replica r1", clock);
        String header = GrpcAuth.header(s, METHOD, "manager", clock.millis());
        assertNull(server.check(METHOD, header));
        assertEquals(Status.Code.PERMISSION_DENIED, server.check(METHOD, header).getCode());
    }

    @Test
    void missingForgedStaleOrMisdirectedCredentialsAreUnauthenticated() {
        VolumeSecret s = VolumeSecret.generate();
        Clock clock = Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC);
        GrpcAuthServer server = new GrpcAuthServer(s, "replica r1", clock);
        long now = clock.millis();
        assertEquals(Status.Code.UNAUTHENTICATED, server.check(METHOD, null).getCode());
        assertEquals(Status.Code.UNAUTHENTICATED, server.check(METHOD, "garbage").getCode());
        assertEquals(Status.Code.UNAUTHENTICATED,
                server.check(METHOD, GrpcAuth.header(VolumeSecret.generate(), METHOD, "rogue", now)).getCode());
        Status stale = server.check(METHOD, GrpcAuth.header(s, METHOD, "manager", now - GrpcAuth.WINDOW_MILLIS - 1));
        assertEquals(Status.Code.UNAUTHENTICATED, stale.getCode());
        assertTrue(stale.getDescription().contains("clock"), stale.getDescription());
        assertEquals(Status.Code.UNAUTHENTICATED, server.check("longhorn.replica.ReplicaService/Delete",
                GrpcAuth.header(s, METHOD, "manager", now)).getCode());
        String good = GrpcAuth.header(s, METHOD, "manager", now);
        String[] f = good.split(";");
        String renamed = f[0] + ";rogue;" + f[2] + ";" + f[3] + ";" + f[4];
        assertEquals(Status.Code.UNAUTHENTICATED, server.check(METHOD, renamed).getCode());
    }

    @Test
    void aHelloCarriesItsProofAndOldHellosStillDecode() throws Exception {
        Hello h = new Hello("vol1", 7, "e1");
        byte[] proof = VolumeSecret.randomBytes(32);
        var payload = h.payload(proof);
        var frame = io.longhorn.api.wire.Frame.request(io.longhorn.api.wire.MessageType.HELLO, 1, 7,
                payload.remaining(), 0);
        Hello.Signed signed = Hello.decodeSigned(frame, payload);
        assertEquals(h, signed.hello());
        assertArrayEquals(proof, signed.proof());
        assertNull(Hello.decodeSigned(h.frame(1), h.payload()).proof());
    }
}
