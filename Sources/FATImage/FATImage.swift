import MediaTree
import RegionMap

/// The three FAT variants. The variant follows from the cluster count, not from a
/// field: a volume is FAT12 below 4,085 clusters, FAT16 below 65,525, FAT32 above
/// (Microsoft's FAT32 File System Specification, "FAT Type Determination").
public enum FATType: Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case fat12, fat16, fat32

    public var description: String {
        switch self {
        case .fat12: return "FAT12"
        case .fat16: return "FAT16"
        case .fat32: return "FAT32"
        }
    }
}

/// What a bare FAT volume should look like.
public struct FATVolumeOptions: Sendable {
    /// The media label; the FAT label is its first 11 characters, upper-cased, FAT-legal.
    public var label: String
    /// The volume serial; nil → derived from `tree.serialNumber` (reproducible).
    public var serial: UInt32?
    /// Bytes of the volume (rounded down to whole 512-byte sectors); nil → the
    /// smallest valid volume that fits, a multiple of 2 KiB (an ISO sector).
    public var size: UInt64?
    /// nil → the smallest type valid for the size: FAT12 up to 8,400 sectors,
    /// FAT16 up to 2 GiB, FAT32 above.
    public var type: FATType?

    public init(label: String, serial: UInt32? = nil, size: UInt64? = nil, type: FATType? = nil) {
        self.label = label
        self.serial = serial
        self.size = size
        self.type = type
    }
}

/// FAT images of a media tree as region maps: boot sectors, FSInfo and
/// directories in memory, each FAT computed on demand from the cluster chains,
/// each file one contiguous blob range, free space zeros. Nothing grows with
/// the size of the volume, only with the number of files and folders.
public enum FATImage {
    /// A bare FAT file system holding `tree` (no partition table): the El Torito EFI image uses this.
    public static func volume(_ tree: MediaTree, options: FATVolumeOptions) throws(FATImageError) -> Layout {
        let plan = try VolumePlan(tree: tree, label: options.label)
        let geometry = try VolumeSizing.volume(for: plan, size: options.size, type: options.type)
        var builder = LayoutBuilder()
        VolumeWriter(plan: plan, geometry: geometry, serial: options.serial ?? tree.serialNumber,
                     hiddenSectors: 0).append(to: &builder)
        return builder.build()
    }

    /// Where the partition of a USB disk starts: 1 MiB, the alignment every
    /// partitioning tool has used since Windows Vista (flash erase blocks).
    public static let partitionOffset: UInt64 = 1 << 20

    /// A whole USB disk: MBR with one active FAT32 LBA partition (type 0x0C) from
    /// 1 MiB to the end. `diskSize` nil → the smallest valid size that fits (a
    /// whole number of MiB). Throws before producing anything for a file ≥ 4 GiB,
    /// a disk too small or too large for MBR, a name FAT cannot hold.
    public static func disk(_ tree: MediaTree, diskSize: UInt64?, label: String) throws(FATImageError) -> Layout {
        let plan = try VolumePlan(tree: tree, label: label)
        let partitionStart = partitionOffset / VolumeGeometry.sectorSize
        let geometry = try VolumeSizing.diskVolume(for: plan, diskSize: diskSize, partitionStart: partitionStart)
        // Serial and disk signature: two different slices of the tree's fingerprint.
        let fingerprint = tree.fingerprint
        func word(_ at: Int) -> UInt32 {
            UInt32(fingerprint[at]) | UInt32(fingerprint[at + 1]) << 8 | UInt32(fingerprint[at + 2]) << 16 | UInt32(fingerprint[at + 3]) << 24
        }
        var builder = LayoutBuilder()
        builder.append(bytes: BootRecords.masterBootRecord(
            partitionStart: partitionStart, partitionSectors: geometry.totalSectors, signature: word(4)),
            label: .structure("master boot record (partition table)"))
        builder.pad(to: partitionOffset)
        VolumeWriter(plan: plan, geometry: geometry, serial: word(0), hiddenSectors: partitionStart).append(to: &builder)
        return builder.build()
    }
}
