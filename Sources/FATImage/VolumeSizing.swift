/// Chooses a volume's geometry: for a given size, the default cluster size of
/// that size; with no size, the smallest volume that holds the plan.
enum VolumeSizing {
    /// The fixed root directory of FAT12/16: 512 entries as every formatter
    /// makes it, more (a multiple of 16, one sector) when the root needs them.
    static func rootEntryCount(type: FATType, plan: VolumePlan) throws(FATImageError) -> UInt64 {
        guard type != .fat32 else { return 0 }
        let needed = UInt64(plan.directories[0].slotCount)
        let count = max(512, (needed + 15) / 16 * 16)
        guard count <= 65520 else { throw .directoryTooLarge(path: "", entries: Int(needed)) }
        return count
    }

    /// The geometry of `type` at `sectors` with the default cluster size, if the
    /// type is made at that size and its cluster count is valid.
    static func geometry(type: FATType, sectors: UInt64, rootEntryCount: UInt64) -> VolumeGeometry? {
        guard let perCluster = type.defaultSectorsPerCluster(volumeSectors: sectors),
              let geometry = VolumeGeometry(type: type, totalSectors: sectors, sectorsPerCluster: perCluster,
                                            rootEntryCount: rootEntryCount),
              type.clusterCountRange.contains(geometry.clusterCount) else { return nil }
        return geometry
    }

    /// The smallest volume of `type`, a multiple of `granularity` sectors, with
    /// the default cluster size for its size, that holds `plan`; nil when none does.
    ///
    /// For each bracket of the cluster-size table the clusters needed are
    /// fixed, so the smallest size is computed directly and then stepped up
    /// by `granularity` until the geometry (whose FAT estimate is slightly
    /// generous) holds them: a few steps at most.
    static func smallest(type: FATType, plan: VolumePlan, granularity: UInt64) throws(FATImageError) -> VolumeGeometry? {
        let rootEntries = try rootEntryCount(type: type, plan: plan)
        let rootSectors = rootEntries * VolumeGeometry.directoryEntrySize / VolumeGeometry.sectorSize
        let table = type.clusterTable
        let range = type.clusterCountRange
        var lower = table.floor + 1
        for bracket in table.brackets {
            defer { lower = bracket.upTo + 1 }
            let clusterBytes = bracket.sectorsPerCluster * VolumeGeometry.sectorSize
            let needed = max(plan.clustersNeeded(bytesPerCluster: clusterBytes, rootInClusters: type == .fat32),
                             range.lowerBound)
            guard needed <= range.upperBound else { continue }
            let estimate = (type == .fat32 ? 32 : 1) + bracket.sectorsPerCluster - 1 + rootSectors
                + VolumeGeometry.fatCount * VolumeGeometry.fatSectors(type: type, entries: needed + 2)
                + needed * bracket.sectorsPerCluster
            var sectors = (max(lower, estimate) + granularity - 1) / granularity * granularity
            while sectors <= bracket.upTo {
                if let geometry = VolumeGeometry(type: type, totalSectors: sectors,
                                                 sectorsPerCluster: bracket.sectorsPerCluster,
                                                 rootEntryCount: rootEntries) {
                    if geometry.clusterCount > range.upperBound { break }
                    if geometry.clusterCount >= needed { return geometry }
                }
                sectors += granularity
            }
        }
        return nil
    }

    /// The geometry of a bare volume (`FATImage.volume`).
    static func volume(for plan: VolumePlan, size: UInt64?, type: FATType?) throws(FATImageError) -> VolumeGeometry {
        let sectorSize = VolumeGeometry.sectorSize
        guard let size else {
            // No size: the smallest valid volume, trying the smaller types first.
            // 2 KiB granularity: the image fills whole ISO sectors inside an ISO.
            if let type {
                if let geometry = try smallest(type: type, plan: plan, granularity: 4) { return geometry }
            } else {
                // FAT12/16 may fail where FAT32 does not (a root folder too large for their fixed one).
                for candidate in [FATType.fat12, .fat16] {
                    if let geometry = (try? smallest(type: candidate, plan: plan, granularity: 4)) ?? nil,
                       FATType.automatic(volumeSectors: geometry.totalSectors) == candidate {
                        return geometry
                    }
                }
                if let geometry = try smallest(type: .fat32, plan: plan, granularity: 4) { return geometry }
            }
            throw .contentTooLarge(type: type ?? .fat32, bytes: plan.contentBytes)
        }
        let sectors = size / sectorSize
        let chosen = type ?? FATType.automatic(volumeSectors: sectors)
        let rootEntries = try rootEntryCount(type: chosen, plan: plan)
        guard let perCluster = chosen.defaultSectorsPerCluster(volumeSectors: sectors) else {
            let table = chosen.clusterTable
            let largest = (table.brackets.last?.upTo ?? 0) * sectorSize
            throw .sizeNotValid(type: chosen, size: size,
                                reason: "it is made from \((table.floor + 1) * sectorSize) to \(largest) bytes")
        }
        guard let geometry = VolumeGeometry(type: chosen, totalSectors: sectors, sectorsPerCluster: perCluster,
                                            rootEntryCount: rootEntries),
              chosen.clusterCountRange.contains(geometry.clusterCount) else {
            throw .sizeNotValid(type: chosen, size: size,
                                reason: "its cluster count would be outside \(chosen.clusterCountRange)")
        }
        let needed = plan.clustersNeeded(bytesPerCluster: geometry.bytesPerCluster, rootInClusters: chosen == .fat32)
        if geometry.clusterCount < needed {
            let smallestFit = try smallest(type: chosen, plan: plan, granularity: 1)
            guard let smallestFit else { throw .contentTooLarge(type: chosen, bytes: plan.contentBytes) }
            throw .tooSmall(what: "\(chosen) volume", size: size, needed: smallestFit.totalBytes)
        }
        return geometry
    }

    /// The FAT32 geometry of the partition of a USB disk starting at `partitionStart` sectors.
    static func diskVolume(for plan: VolumePlan, diskSize: UInt64?, partitionStart: UInt64) throws(FATImageError) -> VolumeGeometry {
        let sectorSize = VolumeGeometry.sectorSize
        // The smallest disk: whole MiB, which is how sticks and partitions are sized.
        let alignment = FATImage.partitionOffset / sectorSize
        let smallestVolume = try smallest(type: .fat32, plan: plan, granularity: alignment)
        guard let diskSize else {
            guard let smallestVolume, smallestVolume.totalSectors + partitionStart <= 0xFFFF_FFFF else {
                throw .contentTooLarge(type: .fat32, bytes: plan.contentBytes)
            }
            return smallestVolume
        }
        let diskSectors = diskSize / sectorSize
        guard diskSectors <= 0x1_0000_0000 else { throw .diskTooLarge(size: diskSize) }
        let needed = (smallestVolume?.totalSectors ?? 0) + partitionStart
        guard diskSectors > partitionStart,
              let geometry = geometry(type: .fat32, sectors: diskSectors - partitionStart, rootEntryCount: 0),
              geometry.clusterCount >= plan.clustersNeeded(bytesPerCluster: geometry.bytesPerCluster, rootInClusters: true)
        else {
            guard smallestVolume != nil else { throw .contentTooLarge(type: .fat32, bytes: plan.contentBytes) }
            throw .tooSmall(what: "disk", size: diskSize, needed: needed * sectorSize)
        }
        return geometry
    }
}
