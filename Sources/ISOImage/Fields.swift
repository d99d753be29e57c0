import MediaTree

/// ISO 9660 sectors are 2 KiB (ECMA-119 6.1.2, logical block size 2048 on every CD/DVD).
let sectorSize: UInt64 = 2048

/// A fixed-size record being filled field by field: a volume descriptor, a
/// boot catalog, an MBR. Offsets are the byte positions the standards give,
/// so the code reads like the tables of ECMA-119, El Torito and UEFI.
struct FieldWriter {
    var bytes: [UInt8]

    init(size: Int, filler: UInt8 = 0) {
        bytes = [UInt8](repeating: filler, count: size)
    }

    mutating func put(_ value: [UInt8], at offset: Int) {
        bytes.replaceSubrange(offset ..< offset + value.count, with: value)
    }

    mutating func put8(_ value: UInt8, at offset: Int) { bytes[offset] = value }

    mutating func putLE16(_ value: UInt16, at offset: Int) { put(le16(value), at: offset) }
    mutating func putLE32(_ value: UInt32, at offset: Int) { put(le32(value), at: offset) }
    mutating func putLE64(_ value: UInt64, at offset: Int) { put(le64(value), at: offset) }
    mutating func putBE32(_ value: UInt32, at offset: Int) { put(be32(value), at: offset) }
    /// ECMA-119 7.2.3: a 16-bit number recorded little-endian then big-endian.
    mutating func putBoth16(_ value: UInt16, at offset: Int) { put(both16(value), at: offset) }
    /// ECMA-119 7.3.3: a 32-bit number recorded little-endian then big-endian.
    mutating func putBoth32(_ value: UInt32, at offset: Int) { put(both32(value), at: offset) }
}

func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xFF)] }
func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
func be32(_ v: UInt32) -> [UInt8] { (0..<4).reversed().map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
func le64(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
func both16(_ v: UInt16) -> [UInt8] { le16(v) + be16(v) }
func both32(_ v: UInt32) -> [UInt8] { le32(v) + be32(v) }

/// Sectors needed for `bytes` bytes.
func sectors(_ bytes: UInt64) -> UInt64 { (bytes + sectorSize - 1) / sectorSize }

/// Text fields of the volume descriptors.
enum TextField {
    /// An a- or d-character field (ECMA-119 7.4): ASCII, padded with spaces.
    static func ascii(_ text: String, length: Int) -> [UInt8] {
        var bytes = Array(text.utf8.prefix(length))
        bytes += [UInt8](repeating: 0x20, count: length - bytes.count)
        return bytes
    }

    /// A Joliet field: UCS-2 big-endian, padded with UCS-2 spaces; an odd
    /// length (the 37-byte file identifiers) ends with one zero byte, as
    /// libisofs writes it.
    static func ucs2(_ text: String, length: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        for unit in text.utf16.prefix(length / 2) { bytes += be16(unit) }
        while bytes.count + 2 <= length { bytes += [0x00, 0x20] }
        if bytes.count < length { bytes.append(0) }
        return bytes
    }
}

/// ECMA-119 dates, always in UTC (offset 0): the tree's times are UTC.
enum ISODate {
    /// 9.1.5: seven bytes — years since 1900, month, day, hour, minute, second, GMT offset.
    /// Years outside 1900...2155 are clamped: the field cannot hold them.
    static func recording(_ time: Timestamp) -> [UInt8] {
        let t = time.utc
        guard t.year >= 1900 else { return [0, 1, 1, 0, 0, 0, 0] }
        guard t.year <= 2155 else { return [255, 12, 31, 23, 59, 59, 0] }
        return [UInt8(t.year - 1900), UInt8(t.month), UInt8(t.day), UInt8(t.hour), UInt8(t.minute), UInt8(t.second), 0]
    }

    /// 8.4.26.1: seventeen bytes — "YYYYMMDDHHMMSScc" in digits and a GMT offset.
    static func volume(_ time: Timestamp) -> [UInt8] {
        let t = time.utc
        let year = min(max(t.year, 1), 9999)
        func digits(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        let text = digits(year, 4) + digits(t.month, 2) + digits(t.day, 2) + digits(t.hour, 2)
            + digits(t.minute, 2) + digits(t.second, 2) + digits(Int(time.nanoseconds / 10_000_000), 2)
        return Array(text.utf8) + [0]
    }

    /// 8.4.26.1: a date "not specified": sixteen '0' digits and a zero offset.
    static let unspecified: [UInt8] = [UInt8](repeating: 0x30, count: 16) + [0]
}
