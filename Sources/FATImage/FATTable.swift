import RegionMap

/// One FAT, computed on demand instead of held in memory: a 2 TB stick has a
/// 250 MB FAT, but its content is fully described by where each chain ends.
///
/// Every chain (folder or file) is contiguous and the chains lie back to back
/// from cluster 2, so cluster k (2 ≤ k < firstFree) links to k+1 unless it is
/// the last of its chain; clusters from `firstFree` on are free (0). The table
/// keeps only the sorted chain ends and finds its place by binary search, then
/// walks along: memory is 4 bytes per non-empty file or folder, whatever the
/// size of the disk.
struct FATTable: RegionGenerator {
    let type: FATType
    let mediaDescriptor: UInt8
    /// The last cluster of every chain, ascending.
    let chainEnds: [UInt32]
    /// The first cluster no chain uses (all clusters after it are free too).
    let firstFree: UInt32

    /// The end-of-chain mark (the specification's EOC; readers take any value ≥ 0x…FF8).
    var endOfChain: UInt32 {
        switch type {
        case .fat12: return 0xFFF
        case .fat16: return 0xFFFF
        case .fat32: return 0x0FFF_FFFF
        }
    }

    /// Entry 0 holds the media descriptor in its low byte, all other bits set.
    /// Entry 1 is end-of-chain; on FAT16/32 its two top bits also say "clean
    /// shutdown, no disk errors", which is what an image fresh from here is.
    func reservedEntry(_ k: UInt32) -> UInt32 {
        k == 0 ? (endOfChain & ~0xFF) | UInt32(mediaDescriptor) : endOfChain
    }

    /// Bytes of the table that are not zero (the entries up to the last used
    /// cluster), rounded up to a sector: the rest of the FAT is a zero region.
    var usedBytes: UInt64 {
        let entries = UInt64(firstFree)
        let bytes: UInt64
        switch type {
        case .fat12: bytes = (entries * 3 + 1) / 2
        case .fat16: bytes = entries * 2
        case .fat32: bytes = entries * 4
        }
        return (bytes + VolumeGeometry.sectorSize - 1) / VolumeGeometry.sectorSize * VolumeGeometry.sectorSize
    }

    /// Index of the first chain whose end is ≥ k.
    private func chainIndex(atOrAfter k: UInt32) -> Int {
        var low = 0, high = chainEnds.count
        while low < high {
            let mid = (low + high) / 2
            if chainEnds[mid] < k { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Entries in order from `first`: each call to `next` gives the following entry.
    private struct Walker {
        let table: FATTable
        var cluster: UInt32
        var chain: Int

        mutating func next() -> UInt32 {
            defer { cluster &+= 1 }
            let k = cluster
            if k < 2 { return table.reservedEntry(k) }
            if k >= table.firstFree { return 0 }
            while table.chainEnds[chain] < k { chain += 1 }
            return table.chainEnds[chain] == k ? table.endOfChain : k + 1
        }
    }

    private func walker(from cluster: UInt64) -> Walker {
        let k = UInt32(clamping: cluster)
        return Walker(table: self, cluster: k, chain: chainIndex(atOrAfter: k))
    }

    /// The value of entry `k` (tests, and the odd random read).
    func entry(_ k: UInt32) -> UInt32 {
        var w = walker(from: UInt64(k))
        return w.next()
    }

    func generate(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) {
        guard !buffer.isEmpty else { return }
        // Entries are packed in units: one 4-byte entry (FAT32), one 2-byte
        // entry (FAT16), or two 12-bit entries in 3 bytes (FAT12).
        let unitBytes: UInt64, entriesPerUnit: UInt64
        switch type {
        case .fat12: (unitBytes, entriesPerUnit) = (3, 2)
        case .fat16: (unitBytes, entriesPerUnit) = (2, 1)
        case .fat32: (unitBytes, entriesPerUnit) = (4, 1)
        }
        let end = offset + UInt64(buffer.count)
        var unit = offset / unitBytes
        var walk = walker(from: unit * entriesPerUnit)
        while unit * unitBytes < end {
            let packed: UInt32
            switch type {
            case .fat12:
                let low = walk.next() & 0xFFF, high = walk.next() & 0xFFF
                packed = low | high << 12
            case .fat16:
                packed = walk.next() & 0xFFFF
            case .fat32:
                packed = walk.next()
            }
            let unitStart = unit * unitBytes
            if unitStart >= offset, unitStart + unitBytes <= end, type == .fat32 {
                buffer.storeBytes(of: packed.littleEndian, toByteOffset: Int(unitStart - offset), as: UInt32.self)
            } else {
                for byte in max(unitStart, offset) ..< min(unitStart + unitBytes, end) {
                    buffer[Int(byte - offset)] = UInt8(truncatingIfNeeded: packed >> (8 * (byte - unitStart)))
                }
            }
            unit += 1
        }
    }
}
