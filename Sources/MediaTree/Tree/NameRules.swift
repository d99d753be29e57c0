/// What a file or folder name must be to live on both targets: FAT32 long
/// names (VFAT) and Joliet. One place, so the tree refuses what either image
/// would have to mangle, before a byte is produced.
public enum NameRules {
    /// Longest name in UTF-16 units: Joliet's 64, extended the way xorriso's
    /// `-joliet-long` does to 103 (FAT's limit, 255, is the larger).
    public static let maximumLength = 103

    /// Characters neither FAT long names nor Joliet can hold.
    static let forbidden: Set<Unicode.Scalar> = ["\"", "*", "/", ":", "<", ">", "?", "\\", "|", ";"]

    /// Why `name` cannot be used, or nil when it can.
    public static func problem(with name: String) -> String? {
        // Every name of a 100,000-file media passes here: a name of printable
        // ASCII (nearly all) is settled on its bytes, the same as below.
        let mask = forbiddenMask
        let ascii: Bool? = name.utf8.withContiguousStorageIfAvailable { bytes in
            guard !bytes.isEmpty, bytes.count <= maximumLength else { return false }
            for c in bytes {
                guard c >= 0x20 && c < 0x7F else { return false }
                if (c < 64 ? mask.low >> c : mask.high >> (c - 64)) & 1 != 0 { return false }
            }
            let last = bytes[bytes.count - 1]
            if last == UInt8(ascii: ".") || last == UInt8(ascii: " ") { return false }
            // "." and ".." end with a dot: refused above.
            return true
        }
        if ascii == true { return nil }
        if name.isEmpty { return "the name is empty" }
        if name == "." || name == ".." { return "'\(name)' is not a name" }
        for scalar in name.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F { return "it contains a control character (U+\(hex(scalar.value)))" }
            if forbidden.contains(scalar) { return "it contains '\(scalar)', which FAT or Joliet cannot hold" }
            if scalar.value > 0xFFFF { return "it contains U+\(hex(scalar.value)), outside the UCS-2 range Joliet can hold" }
        }
        if name.hasSuffix(".") || name.hasSuffix(" ") { return "it ends with a dot or a space, which FAT drops" }
        if name.utf16.count > maximumLength { return "it is \(name.utf16.count) characters long; the limit is \(maximumLength)" }
        return nil
    }

    /// `forbidden` (all of it ASCII) as a bit per byte value 0-127.
    private static let forbiddenMask: (low: UInt64, high: UInt64) = forbidden.reduce((UInt64(0), UInt64(0))) { mask, scalar in
        let v = scalar.value
        return v < 64 ? (mask.0 | 1 << UInt64(v), mask.1) : (mask.0, mask.1 | 1 << UInt64(v - 64))
    }

    /// The key under which FAT and Joliet see two names as the same (they ignore case).
    public static func caseFolded(_ name: String) -> String {
        // ASCII names fold byte by byte (what `uppercased()` does to them), without
        // the Unicode case tables.
        let folded: String?? = name.utf8.withContiguousStorageIfAvailable { bytes in
            var lower = false
            for c in bytes {
                if c >= 0x80 { return nil }
                if c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z") { lower = true }
            }
            guard lower else { return name }
            return String(unsafeUninitializedCapacity: bytes.count) { out in
                for (i, c) in bytes.enumerated() {
                    out[i] = c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z") ? c - 0x20 : c
                }
                return bytes.count
            }
        }
        if let folded = folded ?? nil { return folded }
        return name.uppercased()
    }

    private static func hex(_ v: UInt32) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - s.count)) + s
    }
}
