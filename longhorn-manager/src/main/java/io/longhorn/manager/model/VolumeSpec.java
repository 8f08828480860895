package io.longhorn.manager.model;

import com.fasterxml.jackson.annotation.JsonFormat;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.ArrayList;
import java.util.List;

/** What the user asked for. Field names are Longhorn's. */
public class VolumeSpec {
    @Required
    @Pattern(Schemas.SIZE)
    @JsonFormat(shape = JsonFormat.Shape.STRING)
    public long size;
    /** {@code blockdev} ({@code /dev/longhorn/<volume>} on the node) or {@code nbd} (the engine's NBD export). */
    public String frontend = "blockdev";
    /** Backup URL to restore from at creation, empty otherwise. */
    public String fromBackup = "";
    public boolean restoreVolumeRecurringJob;
    /**
     * {@code vol://<volume>} or {@code snap://<volume>/<snapshot>}: the volume is filled from that
     * volume (through a snapshot taken for it) or snapshot before it can be used; empty otherwise.
     */
    public String dataSource = "";
    @Pattern(Schemas.DATA_LOCALITY)
    public String dataLocality = "disabled";
    @Min(0)
    public int staleReplicaTimeout = 30;
    /** The node the volume is attached to (desired), empty when detached. */
    public String nodeID = "";
    public String migrationNodeID = "";
    @Min(1)
    @Max(20)
    public int numberOfReplicas = 3;
    public String replicaAutoBalance = "ignored";
    @Pattern(Schemas.DATA_ENGINE)
    public String dataEngine = "v1";
    public boolean revisionCounterDisabled = true;
    public String unmapMarkSnapChainRemoved = "ignored";
    public String replicaSoftAntiAffinity = "ignored";
    public String replicaZoneSoftAntiAffinity = "ignored";
    public String replicaDiskSoftAntiAffinity = "ignored";
    public String image = "";
    /** A DR volume: follows a backup volume and cannot be attached until activated. */
    public boolean standby;
    public List<String> diskSelector = new ArrayList<>();
    public List<String> nodeSelector = new ArrayList<>();
    public boolean disableFrontend;
    public String lastAttachedBy = "";
    @Pattern(Schemas.ACCESS_MODE)
    public String accessMode = "rwo";
    public boolean migratable;
    public boolean encrypted;
    public String backingImage = "";
    public String snapshotDataIntegrity = "ignored";
    public String backupCompressionMethod = "";
    @Min(0)
    public int snapshotMaxCount = 250;
    @JsonFormat(shape = JsonFormat.Shape.STRING)
    public long snapshotMaxSize;
    public String freezeFilesystemForSnapshot = "ignored";
    public String backupTargetName = "default";
}
