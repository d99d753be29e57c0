/// The system area of a hybrid image (ECMA-119 leaves sectors 0–15 to the
/// system): what makes the ISO, copied to a USB stick, boot as a disk. The
/// layout is the one GRUB's grub-mkrescue gets from xorriso (`--grub2-mbr`,
/// `--protective-msdos-label`, an EFI boot partition), minus Apple's maps:
///
///  - LBA 0 (512-byte blocks): the MBR. Its boot code is GRUB's
///    `boot_hybrid.img` (bytes 0–431), patched at 432 with the 512-byte block
///    of the El Torito BIOS loader + 4 (64-bit LE: where GRUB's disk loader
///    starts inside `eltorito.img`). Disk signature from the tree's
///    fingerprint. With UEFI, one partition entry: type 0xEE from block 1 to
///    the end (protective: "the GPT rules"); without UEFI, none.
///  - LBA 1: the GPT header; LBA 2–33: 128 partition entries with one entry,
///    the EFI system partition = the FAT image the El Torito UEFI entry uses,
///    inside the ISO. (Firmware booting the stick finds `EFI/BOOT/BOOTX64.EFI` there.)
///  - The last 33 blocks of the image: the backup entries and header.
///    The image grows by 9 ISO sectors for them (counted in the volume size, as xorriso does).
enum SystemArea {
    static let blockSize: UInt64 = 512
    /// ISO sectors at the end of a GPT image that hold the backup (33 blocks, rounded up).
    static let gptTailSectors: UInt64 = 9

    struct Plan {
        /// First 432 bytes of the MBR boot code, or nil (no BIOS boot as a disk).
        let mbrCode: [UInt8]?
        /// ISO sector of the El Torito BIOS loader the MBR code starts.
        let loaderSector: UInt32?
        /// ISO sector and byte length of the FAT image (the ESP), or nil (no GPT).
        let esp: (sector: UInt32, length: UInt64)?
        /// ISO sectors of the whole image.
        let totalSectors: UInt64
        /// 32 bytes from the tree's fingerprint: disk signature and GUIDs.
        let seed: [UInt8]

        var usesGPT: Bool { esp != nil }
        var totalBlocks: UInt64 { totalSectors * (sectorSize / SystemArea.blockSize) }
    }

    /// The 32 KiB of sectors 0–15.
    static func bytes(_ plan: Plan) -> [UInt8] {
        var area = FieldWriter(size: Int(16 * sectorSize))
        if let code = plan.mbrCode {
            area.put(Array(code.prefix(432)), at: 0)
            if let loader = plan.loaderSector { area.putLE64(UInt64(loader) * 4 + 4, at: 432) }
        }
        area.put(Array(plan.seed[0..<4]), at: 440)
        if plan.usesGPT {
            let size = UInt32(clamping: plan.totalBlocks - 1)
            area.put(partitionEntry(status: 0, type: 0xEE, start: 1, size: size), at: 446)
            let entries = gptEntries(plan)
            area.put(gptHeader(plan, entries: entries, backup: false), at: 512)
            area.put(entries, at: 1024)
        }
        area.put8(0x55, at: 510)
        area.put8(0xAA, at: 511)
        return area.bytes
    }

    /// The last `gptTailSectors` ISO sectors: zeros, the backup entries, the backup header.
    static func gptTail(_ plan: Plan) -> [UInt8] {
        let entries = gptEntries(plan)
        var tail = FieldWriter(size: Int(gptTailSectors * sectorSize))
        let header = gptHeader(plan, entries: entries, backup: true)
        tail.put(header, at: tail.bytes.count - Int(blockSize))
        tail.put(entries, at: tail.bytes.count - Int(blockSize) - entries.count)
        return tail.bytes
    }

    private static let entryCount = 128
    private static let entrySize = 128
    /// Blocks of the entry array: 128 × 128 bytes.
    private static let entryBlocks = UInt64(entryCount * entrySize) / blockSize

    /// EFI System Partition, C12A7328-F81F-11D2-BA4B-00A0C93EC93B, in GPT's mixed-endian byte order.
    static let espType: [UInt8] = [0x28, 0x73, 0x2A, 0xC1, 0x1F, 0xF8, 0xD2, 0x11, 0xBA, 0x4B, 0x00, 0xA0, 0xC9, 0x3E, 0xC9, 0x3B]

    private static func gptEntries(_ plan: Plan) -> [UInt8] {
        var w = FieldWriter(size: entryCount * entrySize)
        if let esp = plan.esp {
            let first = UInt64(esp.sector) * (sectorSize / blockSize)
            let blocks = (esp.length + blockSize - 1) / blockSize
            w.put(espType, at: 0)
            w.put(guid(plan.seed, variant: 1), at: 16)
            w.putLE64(first, at: 32)
            w.putLE64(first + blocks - 1, at: 40)
            // Attributes as grub-mkrescue sets them: platform-required (bit 0), read-only (bit 60).
            w.putLE64(1 << 60 | 1, at: 48)
            var name: [UInt8] = []
            for unit in "EFI boot partition".utf16 { name += le16(unit) }
            w.put(name, at: 56)
        }
        return w.bytes
    }

    private static func gptHeader(_ plan: Plan, entries: [UInt8], backup: Bool) -> [UInt8] {
        let last = plan.totalBlocks - 1
        var w = FieldWriter(size: Int(blockSize))
        w.put(Array("EFI PART".utf8), at: 0)
        w.putLE32(0x0001_0000, at: 8)                         // revision 1.0
        w.putLE32(92, at: 12)                                 // header size
        w.putLE64(backup ? last : 1, at: 24)                  // this header
        w.putLE64(backup ? 1 : last, at: 32)                  // the other one
        w.putLE64(2 + entryBlocks, at: 40)                    // first usable block
        w.putLE64(last - 1 - entryBlocks, at: 48)             // last usable block
        w.put(guid(plan.seed, variant: 0), at: 56)            // disk GUID
        w.putLE64(backup ? last - entryBlocks : 2, at: 72)    // entry array
        w.putLE32(UInt32(entryCount), at: 80)
        w.putLE32(UInt32(entrySize), at: 84)
        w.putLE32(CRC32.checksum(entries), at: 88)
        w.putLE32(CRC32.checksum(Array(w.bytes[0..<92])), at: 16)
        return w.bytes
    }

    /// A version-4-shaped GUID from the fingerprint: reproducible, distinct per use.
    private static func guid(_ seed: [UInt8], variant: Int) -> [UInt8] {
        var bytes = (0..<16).map { seed[(4 + variant * 16 + $0) % seed.count] ^ UInt8(variant) }
        bytes[7] = (bytes[7] & 0x0F) | 0x40      // version 4 (the field is little-endian)
        bytes[8] = (bytes[8] & 0x3F) | 0x80      // RFC 4122 variant
        return bytes
    }

    /// An MBR partition entry with LBA and CHS (255 heads, 63 sectors; 1023/254/63 beyond).
    private static func partitionEntry(status: UInt8, type: UInt8, start: UInt32, size: UInt32) -> [UInt8] {
        var w = FieldWriter(size: 16)
        w.put8(status, at: 0)
        w.put(chs(UInt64(start)), at: 1)
        w.put8(type, at: 4)
        w.put(chs(UInt64(start) + UInt64(size) - 1), at: 5)
        w.putLE32(start, at: 8)
        w.putLE32(size, at: 12)
        return w.bytes
    }

    private static func chs(_ block: UInt64) -> [UInt8] {
        var cylinder = block / (255 * 63), head = block / 63 % 255, sector = block % 63 + 1
        if cylinder > 1023 { (cylinder, head, sector) = (1023, 254, 63) }
        return [UInt8(head), UInt8(sector) | UInt8((cylinder >> 2) & 0xC0), UInt8(cylinder & 0xFF)]
    }
}

/// CRC-32 (IEEE 802.3, reflected 0xEDB88320), as the GPT uses it.
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes { crc = table[Int((crc ^ UInt32(b)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}
