/// El Torito ("Bootable CD-ROM Format Specification" 1.0, 1995): the boot
/// record volume descriptor, the boot catalog, and the patches some loaders
/// expect in their own bytes.
enum ElTorito {
    static let platformBIOS: UInt8 = 0x00
    static let platformEFI: UInt8 = 0xEF

    /// One bootable image as the catalog lists it.
    struct Entry {
        let platform: UInt8
        /// Virtual 512-byte sectors the firmware loads (16 bits).
        let sectorCount: UInt16
        let location: UInt32
    }

    /// The boot record (ECMA-119 8.2, El Torito figure 7) pointing at the catalog.
    static func bootRecord(catalog: UInt32) -> [UInt8] {
        var w = FieldWriter(size: Int(sectorSize))
        w.put8(0, at: 0)
        w.put(Array("CD001".utf8), at: 1)
        w.put8(1, at: 6)
        w.put(Array("EL TORITO SPECIFICATION".utf8), at: 7)   // the rest of the 32 bytes stays zero
        w.putLE32(catalog, at: 71)
        return w.bytes
    }

    /// The catalog: a validation entry, the initial/default entry (the first
    /// image), then one final section for each further image (one image each).
    static func catalog(_ images: [Entry]) -> [UInt8] {
        var w = FieldWriter(size: Int(sectorSize))
        guard let first = images.first else { return w.bytes }
        // Validation entry: header 1, platform, ID string (zeros), checksum, 55 AA.
        w.put8(1, at: 0)
        w.put8(first.platform, at: 1)
        w.put8(0x55, at: 30)
        w.put8(0xAA, at: 31)
        var sum: UInt16 = 0
        for i in stride(from: 0, to: 32, by: 2) { sum &+= UInt16(w.bytes[i]) | UInt16(w.bytes[i + 1]) << 8 }
        w.putLE16(0 &- sum, at: 28)   // all sixteen words sum to zero

        w.put(entry(first), at: 32)
        var offset = 64
        for (i, image) in images.dropFirst().enumerated() {
            let last = i == images.count - 2
            w.put8(last ? 0x91 : 0x90, at: offset)       // section header: 0x91 = final
            w.put8(image.platform, at: offset + 1)
            w.putLE16(1, at: offset + 2)                 // entries in this section
            w.put(entry(image), at: offset + 32)
            offset += 64
        }
        return w.bytes
    }

    /// An initial/default or section entry: bootable, no emulation, load segment 0 (= 0x7C0).
    private static func entry(_ image: Entry) -> [UInt8] {
        var w = FieldWriter(size: 32)
        w.put8(0x88, at: 0)
        w.putLE16(image.sectorCount, at: 6)
        w.putLE32(image.location, at: 8)
        return w.bytes
    }

    /// Bytes of the loader that `patch` rewrites: 64 for the boot info table,
    /// 2,556 when GRUB2's boot info (at 2,548) is patched too.
    static func patchedLength(grub2BootInfo: Bool) -> Int { grub2BootInfo ? 2556 : 64 }

    /// The loader's bytes as the disc carries them at sector `location`:
    ///  - the boot info table (mkisofs `-boot-info-table`) at bytes 8–63: the
    ///    PVD's sector (16), the loader's sector, its length, and the 32-bit
    ///    little-endian sum of its words from byte 64 to the end;
    ///  - GRUB2's boot info (xorriso `--grub2-boot-info`), which GRUB's disk
    ///    loader needs when started by the hybrid MBR: at byte 2,548 the 512-byte
    ///    block of the loader + 5, as a 64-bit little-endian number.
    /// The sum is taken after the GRUB2 patch, as xorriso does.
    static func patch(_ loader: [UInt8], location: UInt32, bootInfoTable: Bool, grub2BootInfo: Bool) -> [UInt8] {
        var bytes = loader
        if grub2BootInfo {
            bytes.replaceSubrange(2548 ..< 2556, with: le64(UInt64(location) * 4 + 5))
        }
        if bootInfoTable {
            var sum: UInt32 = 0
            var i = 64
            while i < bytes.count {
                var word: UInt32 = 0
                for k in 0..<4 where i + k < bytes.count { word |= UInt32(bytes[i + k]) << (8 * k) }
                sum &+= word
                i += 4
            }
            var table = FieldWriter(size: 56)
            table.putLE32(16, at: 0)
            table.putLE32(location, at: 4)
            table.putLE32(UInt32(truncatingIfNeeded: loader.count), at: 8)
            table.putLE32(sum, at: 12)
            bytes.replaceSubrange(8 ..< 64, with: table.bytes)
        }
        return bytes
    }
}
