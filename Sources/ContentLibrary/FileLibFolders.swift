import SystemIO

/// Which `FileLib/<first 4>` folders are real folders (not links, not files),
/// from one listing of FileLib: a blob's size is then checked with one stat of
/// `<first 4>/<HASH>` instead of opening it beneath the library (three system
/// calls). A bit per 4-hex-digit prefix (8 KiB). A folder missing from the
/// listing, or one that is not a plain folder, is checked the slow way, which
/// gives the verdict and the message.
public struct FileLibFolders: Sendable {
    private var bits = [UInt64](repeating: 0, count: 1 << 10)

    /// None known: every check takes the slow way.
    public static let none = FileLibFolders()

    private init() {}

    /// Lists `FileLib` of the library at `root`; an unreadable FileLib gives `none`
    /// (each blob's check then reports what is wrong with it).
    public static func list(root: String) -> FileLibFolders {
        var result = FileLibFolders()
        guard let fileLib = try? OpenDirectory(path: root + "/FileLib", beneath: root),
              let entries = try? fileLib.list() else { return .none }
        for entry in entries where entry.kind == .directory {
            if let prefix = prefixValue(entry.name) { result.bits[Int(prefix >> 6)] |= 1 << UInt64(prefix & 63) }
        }
        return result
    }

    /// Whether `FileLib/<the hash's first 4 digits>` was listed as a real folder.
    public func contains(_ hash: SHA256Digest) -> Bool {
        let prefix = hash.firstTwoBytes
        return bits[Int(prefix >> 6)] & (1 << UInt64(prefix & 63)) != 0
    }

    /// "BA78" → 0xBA78; nil for anything but 4 upper-case hex digits (the library's spelling).
    static func prefixValue(_ name: String) -> UInt16? {
        let utf8 = Array(name.utf8)
        // parseHex32 also takes lower case and "0x": only the name written back the same is the library's.
        guard utf8.count == 4, let value = utf8.withUnsafeBufferPointer(parseHex32),
              Hex.upper(value, digits: 4) == name else { return nil }
        return UInt16(value)
    }
}
