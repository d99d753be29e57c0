import MediaTree

/// The date and time fields of a directory entry: FAT keeps local time in
/// 2-second steps, plus a creation field of 10 ms units (0–199) for the rest.
/// We write the tree's UTC time (FAT has no zone; UTC keeps images reproducible
/// wherever they are made), clamped to FAT's years 1980–2107.
struct FATTimestamp: Equatable {
    let date: UInt16
    let time: UInt16
    /// Hundredths of a second past `time` (0–199): the creation-time refinement.
    let hundredths: UInt8

    init(_ timestamp: Timestamp) {
        let t = timestamp.utc
        if t.year < 1980 {
            date = 1 << 5 | 1              // 1980-01-01 00:00:00
            time = 0
            hundredths = 0
        } else if t.year > 2107 {
            date = 127 << 9 | 12 << 5 | 31  // 2107-12-31 23:59:58
            time = 23 << 11 | 59 << 5 | 29
            hundredths = 0
        } else {
            date = UInt16(t.year - 1980) << 9 | UInt16(t.month) << 5 | UInt16(t.day)
            time = UInt16(t.hour) << 11 | UInt16(t.minute) << 5 | UInt16(t.second / 2)
            hundredths = UInt8(t.second % 2 * 100 + Int(timestamp.nanoseconds / 10_000_000))
        }
    }
}

/// Attribute bits of a directory entry.
enum EntryAttribute {
    static let readOnly: UInt8 = 0x01
    static let hidden: UInt8 = 0x02
    static let system: UInt8 = 0x04
    static let volumeLabel: UInt8 = 0x08
    static let directory: UInt8 = 0x10
    static let archive: UInt8 = 0x20
    /// A long-name entry: read-only|hidden|system|volume, which old readers skip.
    static let longName: UInt8 = 0x0F

    /// The tree's DOS attributes that FAT keeps on a file.
    static func of(_ attributes: FileAttributes) -> UInt8 {
        UInt8(truncatingIfNeeded: attributes.rawValue) & (readOnly | hidden | system | archive)
    }
}

/// Appends 32-byte directory entries to a folder's bytes.
struct DirectoryEncoder {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) {
        bytes.reserveCapacity(capacity * 32)
    }

    private mutating func append16(_ v: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: v))
        bytes.append(UInt8(truncatingIfNeeded: v >> 8))
    }

    private mutating func append32(_ v: UInt32) {
        append16(UInt16(truncatingIfNeeded: v))
        append16(UInt16(truncatingIfNeeded: v >> 16))
    }

    /// A short entry: a file, a folder, `.`/`..`, or the volume label.
    /// Creation, write and access times are all the tree's modification time.
    mutating func appendShort(name: ShortName.Bytes, attributes: UInt8, cluster: UInt32, size: UInt32, modified: Timestamp) {
        let stamp = FATTimestamp(modified)
        bytes += name                       // 0: name (8) + extension (3)
        bytes.append(attributes)            // 11
        bytes.append(0)                     // 12: NT case flags: unused, long names carry case
        bytes.append(stamp.hundredths)      // 13: creation time, 10 ms units
        append16(stamp.time)                // 14: creation time
        append16(stamp.date)                // 16: creation date
        append16(stamp.date)                // 18: last access date
        append16(UInt16(cluster >> 16))     // 20: first cluster, high word (FAT32)
        append16(stamp.time)                // 22: write time
        append16(stamp.date)                // 24: write date
        append16(UInt16(truncatingIfNeeded: cluster)) // 26: first cluster, low word
        append32(size)                      // 28: size in bytes (0 for folders)
    }

    /// The long-name entries of `name` (UTF-16), last part first as they lie
    /// on disk, each carrying the checksum of the short name that follows them.
    /// 13 characters per entry; a name that does not fill its last entry is
    /// ended by 0x0000 and padded with 0xFFFF.
    mutating func appendLongName(_ name: [UInt16], checksum: UInt8) {
        let slots = (name.count + 12) / 13
        var padded = name
        if padded.count < slots * 13 { padded.append(0) }
        while padded.count < slots * 13 { padded.append(0xFFFF) }
        for slot in stride(from: slots, through: 1, by: -1) {
            let part = padded[(slot - 1) * 13 ..< slot * 13]
            bytes.append(UInt8(slot) | (slot == slots ? 0x40 : 0))   // 0: order, 0x40 on the last
            for unit in part.prefix(5) { append16(unit) }           // 1: characters 1–5
            bytes.append(EntryAttribute.longName)                   // 11
            bytes.append(0)                                         // 12: type
            bytes.append(checksum)                                  // 13
            for unit in part.dropFirst(5).prefix(6) { append16(unit) } // 14: characters 6–11
            append16(0)                                             // 26: first cluster, always 0
            for unit in part.suffix(2) { append16(unit) }           // 28: characters 12–13
        }
    }

    static func longNameSlots(_ utf16Count: Int) -> Int { (utf16Count + 12) / 13 }

    static let dot: ShortName.Bytes = ShortName.pad([UInt8(ascii: ".")], 11)
    static let dotDot: ShortName.Bytes = ShortName.pad([UInt8(ascii: "."), UInt8(ascii: ".")], 11)
}
