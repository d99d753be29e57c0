/// The sectors before the FATs, and the MBR of a USB disk. Field offsets and
/// values follow Microsoft's FAT32 File System Specification ("Boot Sector and
/// BPB", "FAT32 FSInfo Sector Structure and Backup Boot Sector").
enum BootRecords {
    static let mediaDescriptor: UInt8 = 0xF8   // fixed (non-removable) media, as on every stick
    /// The CHS geometry of the MBR: the usual LBA-translation values.
    static let sectorsPerTrack: UInt16 = 63
    static let heads: UInt16 = 255

    /// Sectors per track in the BPB. A stick has no real geometry, but readers
    /// refuse a zero, and mtools also refuses a volume whose sector count is
    /// not a multiple of it: the largest divisor of the count up to 63.
    static func bpbSectorsPerTrack(totalSectors: UInt64) -> UInt16 {
        UInt16((1...UInt64(sectorsPerTrack)).last { totalSectors % $0 == 0 } ?? 1)
    }

    /// The boot code of a medium that boots only on UEFI: should a BIOS run it,
    /// `int 18h` hands over to the next boot device, then `hlt` in a loop.
    static let noBootCode: [UInt8] = [0xCD, 0x18, 0xF4, 0xEB, 0xFD]

    private static func put16(_ v: UInt16, at offset: Int, in bytes: inout [UInt8]) {
        bytes[offset] = UInt8(truncatingIfNeeded: v)
        bytes[offset + 1] = UInt8(truncatingIfNeeded: v >> 8)
    }

    private static func put32(_ v: UInt32, at offset: Int, in bytes: inout [UInt8]) {
        put16(UInt16(truncatingIfNeeded: v), at: offset, in: &bytes)
        put16(UInt16(truncatingIfNeeded: v >> 16), at: offset + 2, in: &bytes)
    }

    /// The boot sector with its BPB. `hiddenSectors` is where the volume starts on the disk.
    static func bootSector(_ g: VolumeGeometry, hiddenSectors: UInt64, serial: UInt32, label: ShortName.Bytes?) -> [UInt8] {
        var s = [UInt8](repeating: 0, count: Int(VolumeGeometry.sectorSize))
        // The extended BPB (drive number … file system type) sits after the
        // FAT32 fields on FAT32, right after the common BPB otherwise.
        let extended = g.type == .fat32 ? 64 : 36
        let code = extended + 26
        s[0] = 0xEB; s[1] = UInt8(code - 2); s[2] = 0x90          // jmp short to the boot code; nop
        s.replaceSubrange(3..<11, with: Array("MSWIN4.1".utf8))   // OEM name the specification recommends
        put16(UInt16(VolumeGeometry.sectorSize), at: 11, in: &s)  // bytes per sector
        s[13] = UInt8(g.sectorsPerCluster)
        put16(UInt16(g.reservedSectors), at: 14, in: &s)
        s[16] = UInt8(VolumeGeometry.fatCount)
        put16(UInt16(g.rootEntryCount), at: 17, in: &s)           // 0 on FAT32
        if g.type != .fat32, g.totalSectors < 0x10000 {
            put16(UInt16(g.totalSectors), at: 19, in: &s)          // 16-bit count when it fits (FAT12/16)
        } else {
            put32(UInt32(g.totalSectors), at: 32, in: &s)
        }
        s[21] = mediaDescriptor
        if g.type != .fat32 { put16(UInt16(g.fatSectors), at: 22, in: &s) }
        put16(bpbSectorsPerTrack(totalSectors: g.totalSectors), at: 24, in: &s)
        put16(heads, at: 26, in: &s)
        put32(UInt32(hiddenSectors), at: 28, in: &s)
        if g.type == .fat32 {
            put32(UInt32(g.fatSectors), at: 36, in: &s)
            put16(0, at: 40, in: &s)                 // flags: the FATs are mirrored
            put16(0, at: 42, in: &s)                 // version 0.0
            put32(2, at: 44, in: &s)                 // root folder cluster
            put16(1, at: 48, in: &s)                 // FSInfo sector
            put16(6, at: 50, in: &s)                 // backup boot sector
        }
        s[extended] = 0x80                           // BIOS drive number of a hard disk
        s[extended + 2] = 0x29                       // extended boot signature: the next three fields exist
        put32(serial, at: extended + 3, in: &s)
        s.replaceSubrange((extended + 7)..<(extended + 18), with: label ?? Array("NO NAME    ".utf8))
        let typeName = g.type == .fat32 ? "FAT32   " : g.type == .fat16 ? "FAT16   " : "FAT12   "
        s.replaceSubrange((extended + 18)..<(extended + 26), with: Array(typeName.utf8))
        s.replaceSubrange(code..<(code + noBootCode.count), with: noBootCode)
        s[510] = 0x55; s[511] = 0xAA
        return s
    }

    /// The FAT32 FSInfo sector: the free cluster count and where free clusters
    /// begin, so a driver need not scan the FAT. Both are exact here.
    static func fsInfo(freeClusters: UInt32, nextFree: UInt32) -> [UInt8] {
        var s = [UInt8](repeating: 0, count: Int(VolumeGeometry.sectorSize))
        put32(0x4161_5252, at: 0, in: &s)            // lead signature "RRaA"
        put32(0x6141_7272, at: 484, in: &s)          // structure signature "rrAa"
        put32(freeClusters, at: 488, in: &s)
        put32(nextFree, at: 492, in: &s)
        put32(0xAA55_0000, at: 508, in: &s)          // trail signature
        return s
    }

    /// A cylinder/head/sector address in the MBR's 3-byte form, for the 255×63
    /// geometry; beyond cylinder 1023 the usual "use LBA" maximum.
    static func chs(_ lba: UInt64) -> [UInt8] {
        let perCylinder = UInt64(heads) * UInt64(sectorsPerTrack)
        var cylinder = lba / perCylinder
        var head = lba / UInt64(sectorsPerTrack) % UInt64(heads)
        var sector = lba % UInt64(sectorsPerTrack) + 1
        if cylinder > 1023 { (cylinder, head, sector) = (1023, 254, 63) }
        return [UInt8(head), UInt8(sector) | UInt8((cylinder >> 2) & 0xC0), UInt8(truncatingIfNeeded: cylinder)]
    }

    /// The MBR: one active FAT32 LBA partition (type 0x0C), the disk signature
    /// derived from the tree so images are reproducible.
    static func masterBootRecord(partitionStart: UInt64, partitionSectors: UInt64, signature: UInt32) -> [UInt8] {
        var s = [UInt8](repeating: 0, count: Int(VolumeGeometry.sectorSize))
        s.replaceSubrange(0..<noBootCode.count, with: noBootCode)
        put32(signature, at: 440, in: &s)
        let entry = 446
        s[entry] = 0x80                                                  // active (bootable)
        s.replaceSubrange((entry + 1)..<(entry + 4), with: chs(partitionStart))
        s[entry + 4] = 0x0C                                              // FAT32 with LBA addressing
        s.replaceSubrange((entry + 5)..<(entry + 8), with: chs(partitionStart + partitionSectors - 1))
        put32(UInt32(partitionStart), at: entry + 8, in: &s)
        put32(UInt32(partitionSectors), at: entry + 12, in: &s)
        s[510] = 0x55; s[511] = 0xAA
        return s
    }
}
