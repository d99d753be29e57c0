import MediaTree
import RegionMap

/// Lays a planned volume out as regions: clusters are handed out in plan order
/// (folders first, then files, each one contiguous chain), the folders are
/// encoded with the clusters known, and the regions are appended in disk order.
struct VolumeWriter {
    let plan: VolumePlan
    let geometry: VolumeGeometry
    let serial: UInt32
    let hiddenSectors: UInt64

    /// First cluster of each folder (the FAT12/16 root: 0, it has no cluster) and of each file (0 when empty).
    struct Allocation {
        var directoryClusters: [UInt32] = []
        var fileClusters: [UInt32] = []
        var chainEnds: [UInt32] = []
        var firstFree: UInt32 = 2
    }

    func allocate() -> Allocation {
        var a = Allocation()
        a.directoryClusters.reserveCapacity(plan.directories.count)
        a.fileClusters.reserveCapacity(plan.files.count)
        let clusterBytes = geometry.bytesPerCluster
        var next: UInt64 = 2
        func take(_ count: UInt64) -> UInt32 {
            guard count > 0 else { return 0 }
            let first = next
            next += count
            a.chainEnds.append(UInt32(next - 1))
            return UInt32(first)
        }
        for (index, directory) in plan.directories.enumerated() {
            if index == 0 && geometry.type != .fat32 {
                a.directoryClusters.append(0)
            } else {
                a.directoryClusters.append(take(VolumePlan.clusters(UInt64(directory.slotCount) * 32, of: clusterBytes, atLeastOne: true)))
            }
        }
        for file in plan.files {
            a.fileClusters.append(take(VolumePlan.clusters(file.source.size, of: clusterBytes)))
        }
        a.firstFree = UInt32(next)
        // The sizing chose a geometry with room for exactly this (VolumeSizing).
        precondition(next - 2 <= geometry.clusterCount, "FAT plan needs \(next - 2) clusters, volume has \(geometry.clusterCount)")
        return a
    }

    /// The bytes of folder `index`: its own entries (the label in the root; `.`
    /// and `..` elsewhere), then each child's long-name entries and short entry.
    func encodeDirectory(_ index: Int, allocation a: Allocation) -> [UInt8] {
        let directory = plan.directories[index]
        var encoder = DirectoryEncoder(capacity: directory.slotCount)
        if let parent = directory.parent {
            encoder.appendShort(name: DirectoryEncoder.dot, attributes: EntryAttribute.directory,
                                cluster: a.directoryClusters[index], size: 0, modified: directory.modified)
            // `..` of a child of the root is cluster 0, even on FAT32 where the root has a cluster.
            let parentCluster = parent == 0 ? 0 : a.directoryClusters[parent]
            encoder.appendShort(name: DirectoryEncoder.dotDot, attributes: EntryAttribute.directory,
                                cluster: parentCluster, size: 0, modified: directory.modified)
        } else if let label = plan.label {
            encoder.appendShort(name: label, attributes: EntryAttribute.volumeLabel, cluster: 0, size: 0,
                                modified: directory.modified)
        }
        for entry in directory.entries {
            if let longName = entry.longName {
                encoder.appendLongName(longName, checksum: ShortName.checksum(entry.shortName))
            }
            let cluster: UInt32
            switch entry.target {
            case .file(let i): cluster = a.fileClusters[i]
            case .directory(let i): cluster = a.directoryClusters[i]
            }
            encoder.appendShort(name: entry.shortName, attributes: entry.attributes, cluster: cluster,
                                size: entry.size, modified: entry.modified)
        }
        return encoder.bytes
    }

    func append(to builder: inout LayoutBuilder) {
        let g = geometry
        let sector = VolumeGeometry.sectorSize
        let start = builder.size
        let a = allocate()
        let used = UInt64(a.firstFree) - 2

        // Reserved area: boot sector and FSInfo, their backups at 6 and 7 (FAT32).
        let boot = BootRecords.bootSector(g, hiddenSectors: hiddenSectors, serial: serial, label: plan.label)
        if g.type == .fat32 {
            let free = UInt32(g.clusterCount - used)
            let nextFree: UInt32 = free > 0 ? a.firstFree : 0xFFFF_FFFF
            let info = BootRecords.fsInfo(freeClusters: free, nextFree: nextFree)
            // Sectors 0 and 1, zeros, their backups at 6 and 7: each named for `mediafs verify`.
            builder.append(bytes: boot, label: .structure("boot sector"))
            builder.append(bytes: info, label: .structure("FSInfo sector"))
            builder.appendZeros(4 * sector, label: .structure("reserved sectors"))
            builder.append(bytes: boot, label: .structure("backup boot sector"))
            builder.append(bytes: info, label: .structure("backup FSInfo sector"))
        } else {
            builder.append(bytes: boot, label: .structure("boot sector"))
        }
        builder.pad(to: start + g.reservedSectors * sector, label: .structure("reserved sectors"))

        // The FATs: the same generator twice; past the last used cluster, zeros.
        let table = FATTable(type: g.type, mediaDescriptor: BootRecords.mediaDescriptor,
                             chainEnds: a.chainEnds, firstFree: a.firstFree)
        for number in 1 ... VolumeGeometry.fatCount {
            let fatStart = builder.size
            let label = RegionLabel.structure("FAT #\(number)")
            builder.append(generator: table, length: min(table.usedBytes, g.fatSectors * sector), label: label)
            builder.pad(to: fatStart + g.fatSectors * sector, label: label)
        }

        // FAT12/16: the fixed root folder.
        if g.type != .fat32 {
            let rootStart = builder.size
            builder.append(bytes: encodeDirectory(0, allocation: a), label: .directory(""))
            builder.pad(to: rootStart + g.rootDirectorySectors * sector, label: .directory(""))
        }

        // Data: folders, then files, each padded to its last cluster.
        let dataStart = start + g.dataStart * sector
        builder.pad(to: dataStart)
        // Clusters are counted from the data area, which on FAT12/16 need not be cluster-aligned.
        // A folder's unused slots are its own (a reader scans the whole cluster); a file's slack is not.
        func padToCluster(_ builder: inout LayoutBuilder, label: RegionLabel? = nil) {
            let inData = builder.size - dataStart
            builder.pad(to: dataStart + (inData + g.bytesPerCluster - 1) / g.bytesPerCluster * g.bytesPerCluster, label: label)
        }
        for index in plan.directories.indices where a.directoryClusters[index] != 0 {
            precondition(builder.size == dataStart + (UInt64(a.directoryClusters[index]) - 2) * g.bytesPerCluster)
            let label = RegionLabel.directory(plan.directories[index].path)
            builder.append(bytes: encodeDirectory(index, allocation: a), label: label)
            padToCluster(&builder, label: label)
        }
        for (index, file) in plan.files.enumerated() where a.fileClusters[index] != 0 {
            switch file.source {
            case .blob(let blob): builder.append(.blob(blob, offset: 0), length: blob.size, label: .file(file.path))
            case .bytes(let shared): builder.append(.bytes(shared, offset: 0), length: UInt64(shared.count), label: .file(file.path))
            }
            padToCluster(&builder)
        }
        builder.pad(to: start + g.totalBytes)
    }
}
