package io.longhorn.replica.control;

import io.longhorn.api.replica.ReplicaInfo;
import io.longhorn.api.replica.SnapshotChecksum;
import io.longhorn.api.replica.SnapshotChecksumsResponse;
import io.longhorn.replica.store.ChecksumFile;
import io.longhorn.replica.store.Extent;
import io.longhorn.replica.store.Replica;
import io.longhorn.replica.store.SnapshotChecksums;
import io.longhorn.replica.store.SnapshotInfo;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/** Conversions between the store's types and the control API's messages. */
final class ProtoMapping {
    private ProtoMapping() {
    }

    static ReplicaInfo info(Replica r, String dataAddress, String dataSocket) {
        ReplicaInfo.Builder b = ReplicaInfo.newBuilder()
                .setSize(r.size())
                .setSectorSize(r.sectorSize())
                .setHead(r.headFile())
                .setParent(nullToEmpty(r.parent()))
                .setDirty(r.dirty())
                .setRebuilding(r.rebuilding())
                .setGeneration(r.generation())
                .setError(r.error())
                .setDataAddress(dataAddress)
                .setDataSocket(dataSocket)
                .setSnapshotReads(true)
                .setDirectory(r.directory().toString())
                .setActualSize(r.actualSize());
        for (SnapshotInfo s : r.snapshots()) {
            b.addSnapshots(toProto(s));
        }
        return b.build();
    }

    static io.longhorn.api.replica.SnapshotInfo toProto(SnapshotInfo s) {
        return io.longhorn.api.replica.SnapshotInfo.newBuilder()
                .setName(s.name())
                .setFile(nullToEmpty(s.file()))
                .setParent(nullToEmpty(s.parent()))
                .addAllChildren(s.children() == null ? List.of() : s.children())
                .setCreated(s.created() == null ? "" : s.created().toString())
                .putAllLabels(s.labels() == null ? java.util.Map.of() : s.labels())
                .setUserCreated(s.userCreated())
                .setRemoved(s.removed())
                .setActualSize(s.actualSize())
                .setHead(s.head())
                .build();
    }

    static SnapshotInfo fromProto(io.longhorn.api.replica.SnapshotInfo s) {
        return new SnapshotInfo(s.getName(), s.getFile(), s.getParent().isEmpty() ? null : s.getParent(),
                List.copyOf(s.getChildrenList()), time(s.getCreated(), "created of snapshot " + s.getName()),
                s.getLabelsMap(), s.getUserCreated(), s.getRemoved(), s.getActualSize(), s.getHead());
    }

    /** An RFC 3339 time, or null when empty. */
    static Instant time(String text, String field) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("invalid " + field + " \"" + text + "\": expected an RFC 3339 time such as 2024-05-01T10:00:00Z");
        }
    }

    static List<Extent> extents(List<io.longhorn.api.replica.Extent> in) {
        List<Extent> out = new ArrayList<>(in.size());
        for (io.longhorn.api.replica.Extent e : in) {
            if (e.getOffset() < 0 || e.getLength() < 0) {
                throw new IllegalArgumentException("invalid extent at " + e.getOffset() + " of " + e.getLength()
                        + " bytes: offset and length must not be negative");
            }
            out.add(new Extent(e.getOffset(), e.getLength()));
        }
        return out;
    }

    static io.longhorn.api.replica.Extent toProto(Extent e) {
        return io.longhorn.api.replica.Extent.newBuilder().setOffset(e.offset()).setLength(e.length()).build();
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    static SnapshotChecksumsResponse checksums(List<SnapshotChecksums.Result> results) {
        SnapshotChecksumsResponse.Builder b = SnapshotChecksumsResponse.newBuilder();
        for (SnapshotChecksums.Result r : results) {
            ChecksumFile c = r.checksum();
            b.addChecksums(SnapshotChecksum.newBuilder().setFile(r.file()).setMethod(c.method())
                    .setChecksum(c.checksum()).setChangeTime(c.changeTime()).setModificationTime(c.modificationTime())
                    .setSize(c.size()).setLastHashedAt(c.lastHashedAt()).setSilentlyCorrupted(c.silentlyCorrupted())
                    .setRehashed(r.rehashed()));
        }
        return b.build();
    }
}
