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

    /// The key under which FAT and Joliet see two names as the same (they ignore case).
    public static func caseFolded(_ name: String) -> String { name.uppercased() }

    private static func hex(_ v: UInt32) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - s.count)) + s
    }
}
