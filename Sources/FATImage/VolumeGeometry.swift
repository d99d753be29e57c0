/// Where everything of one FAT volume lies, in 512-byte sectors from the start
/// of the volume: reserved area (boot sector, FSInfo, backup), two FATs, the
/// fixed root directory (FAT12/16 only), then the data clusters from cluster 2.
struct VolumeGeometry: Equatable {
    static let sectorSize: UInt64 = 512
    static let fatCount: UInt64 = 2
    static let directoryEntrySize: UInt64 = 32

    let type: FATType
    let totalSectors: UInt64
    let sectorsPerCluster: UInt64
    let reservedSectors: UInt64
    let fatSectors: UInt64
    /// Entries of the fixed root directory (FAT12/16); 0 for FAT32, whose root is a cluster chain.
    let rootEntryCount: UInt64
    /// Data clusters, numbered 2 ..< clusterCount + 2.
    let clusterCount: UInt64

    var bytesPerCluster: UInt64 { sectorsPerCluster * Self.sectorSize }
    var rootDirectorySectors: UInt64 { rootEntryCount * Self.directoryEntrySize / Self.sectorSize }
    var rootDirectoryStart: UInt64 { reservedSectors + Self.fatCount * fatSectors }
    var dataStart: UInt64 { rootDirectoryStart + rootDirectorySectors }
    var totalBytes: UInt64 { totalSectors * Self.sectorSize }

    /// The geometry of a `totalSectors` volume with `sectorsPerCluster`, or nil
    /// when the structures leave no room for a cluster.
    ///
    /// The FAT is sized for the clusters there would be without it, a slight
    /// overestimate the specification allows (a FAT may be longer than its
    /// clusters; the extra entries stay 0). On FAT32 the reserved area grows so
    /// that cluster 2 starts on a cluster boundary: with the partition at 1 MiB,
    /// every cluster is then aligned on the stick too.
    init?(type: FATType, totalSectors: UInt64, sectorsPerCluster: UInt64, rootEntryCount: UInt64) {
        let minimumReserved: UInt64 = type == .fat32 ? 32 : 1
        let rootSectors = rootEntryCount * Self.directoryEntrySize / Self.sectorSize
        guard totalSectors > minimumReserved + rootSectors + Self.fatCount else { return nil }
        let clustersWithoutFAT = (totalSectors - minimumReserved - rootSectors) / sectorsPerCluster
        let fatSectors = Self.fatSectors(type: type, entries: clustersWithoutFAT + 2)
        var reserved = minimumReserved
        if type == .fat32 {
            let misalignment = (reserved + Self.fatCount * fatSectors) % sectorsPerCluster
            if misalignment != 0 { reserved += sectorsPerCluster - misalignment }
        }
        let overhead = reserved + Self.fatCount * fatSectors + rootSectors
        guard totalSectors > overhead, (totalSectors - overhead) / sectorsPerCluster >= 1 else { return nil }
        self.type = type
        self.totalSectors = totalSectors
        self.sectorsPerCluster = sectorsPerCluster
        self.reservedSectors = reserved
        self.fatSectors = fatSectors
        self.rootEntryCount = rootEntryCount
        self.clusterCount = (totalSectors - overhead) / sectorsPerCluster
    }

    /// Sectors of one FAT holding `entries` entries.
    static func fatSectors(type: FATType, entries: UInt64) -> UInt64 {
        let bytes: UInt64
        switch type {
        case .fat12: bytes = (entries * 3 + 1) / 2
        case .fat16: bytes = entries * 2
        case .fat32: bytes = entries * 4
        }
        return (bytes + sectorSize - 1) / sectorSize
    }
}

extension FATType {
    /// Cluster counts this type is made with: the specification's ranges
    /// (FAT12 < 4,085 ≤ FAT16 < 65,525 ≤ FAT32) kept clear of the boundaries by
    /// mkfs.fat's margins, so that no reader counting a little differently
    /// takes the volume for another type. FAT32 therefore has at least 65,529
    /// clusters; a smaller "FAT32" is invalid and UEFI firmware refuses it.
    var clusterCountRange: ClosedRange<UInt64> {
        switch self {
        case .fat12: return 1 ... 4080
        case .fat16: return 4085 ... 65520
        case .fat32: return 65529 ... 0x0FFF_FFF0
        }
    }

    /// The default cluster sizes by volume size, as brackets of volume sectors
    /// (each up to and including `upTo`), above `floor` sectors.
    ///
    /// FAT16 and FAT32 follow the tables of Microsoft's FAT32 File System
    /// Specification (DskTableFAT16, DskTableFAT32), which Windows' format and
    /// dosfstools' mkfs.fat also follow: FAT32 uses 512-byte clusters up to
    /// 260 MB, 4 KiB to 8 GiB, 8 KiB to 16 GiB, 16 KiB to 32 GiB and 32 KiB above.
    /// FAT12 has no such table (it is a floppy format); ours keeps the clusters
    /// as small as 4,080 clusters allow, doubling from 512 bytes.
    var clusterTable: (floor: UInt64, brackets: [(upTo: UInt64, sectorsPerCluster: UInt64)]) {
        switch self {
        case .fat12:
            return (0, [(4096, 1), (8192, 2), (16384, 4), (32680, 8)])
        case .fat16:
            return (8400, [(32680, 2), (262_144, 4), (524_288, 8), (1_048_576, 16), (2_097_152, 32), (4_194_304, 64)])
        case .fat32:
            return (66600, [(532_480, 1), (16_777_216, 8), (33_554_432, 16), (67_108_864, 32), (0xFFFF_FFFF, 64)])
        }
    }

    /// The default sectors per cluster for a volume of `sectors`, or nil when this type is not made at that size.
    func defaultSectorsPerCluster(volumeSectors sectors: UInt64) -> UInt64? {
        let table = clusterTable
        guard sectors > table.floor else { return nil }
        return table.brackets.first { sectors <= $0.upTo }?.sectorsPerCluster
    }

    /// The type chosen for a volume of `sectors` when none is asked for: the
    /// smallest valid one. FAT12 up to 8,400 sectors (where Microsoft's FAT16
    /// table starts), FAT16 up to 2 GiB (where it ends), FAT32 above.
    static func automatic(volumeSectors sectors: UInt64) -> FATType {
        if sectors <= FATType.fat16.clusterTable.floor { return .fat12 }
        if sectors <= (FATType.fat16.clusterTable.brackets.last?.upTo ?? 0) { return .fat16 }
        return .fat32
    }
}
