import SystemIO

/// The rules for names and identifiers in a content library, shared by the
/// reader and the writer (a library mediafs writes must read back, and a name
/// refused on reading must be refused on adding).
public enum LibraryNames {
    /// The longest file name (bytes of UTF-8) `library add` takes: its DataLib
    /// record is named "<name>.INI", and Linux file systems name at most 255 bytes
    /// (NAME_MAX). On a distribution point (NTFS: 255 UTF-16 units) the limit is
    /// other; mediafs's choice, kept here.
    public static let maximumFileNameBytes = 255 - 4

    /// Why `name` cannot be a file or folder name inside a package, or nil when it can.
    /// Separators (`/`, `\`), NUL and other control characters, `.`/`..` and the empty
    /// name are refused: a package path must mean the same folder on Linux and Windows.
    public static func problem(with name: String) -> String? {
        // Printable ASCII other than '/' and '\\', and not "." or "..": nothing
        // below applies (every name of a package passes here).
        let plain: Bool? = name.utf8.withContiguousStorageIfAvailable { bytes in
            guard !bytes.isEmpty, !(bytes.count <= 2 && bytes.allSatisfy { $0 == UInt8(ascii: ".") }) else { return false }
            for c in bytes where c < 0x20 || c >= 0x7F || c == UInt8(ascii: "/") || c == UInt8(ascii: "\\") { return false }
            return true
        }
        if plain == true { return nil }
        if name.isEmpty { return "the name is empty" }
        if name == "." || name == ".." { return "'\(name)' is not a file name" }
        for byte in name.utf8 {
            switch byte {
            case UInt8(ascii: "/"): return "it contains '/'"
            case UInt8(ascii: "\\"): return "it contains '\\'"
            case 0: return "it contains NUL"
            case 0x01..<0x20, 0x7F: return "it contains a control character (0x\(Hex.upper(byte, digits: 2)))"
            default: continue
            }
        }
        // C1 controls (U+0080…U+009F) are control characters too.
        if name.unicodeScalars.contains(where: { $0.value >= 0x80 && $0.value < 0xA0 }) {
            return "it contains a control character"
        }
        return nil
    }

    /// A package ID: a 3-character site code [A-Z0-9] and 5 upper-case hex digits ("ABC00001").
    public static func isPackageID(_ s: String) -> Bool {
        let bytes = Array(s.utf8)
        guard bytes.count == 8 else { return false }
        for (i, c) in bytes.enumerated() {
            let digit = c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")
            let upper = c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z")
            let hexUpper = c >= UInt8(ascii: "A") && c <= UInt8(ascii: "F")
            if i < 3 ? !(digit || upper) : !(digit || hexUpper) { return false }
        }
        return true
    }

    /// Why `s` is not a package ID, or nil.
    static func packageIDProblem(_ s: String) -> String? {
        isPackageID(s) ? nil : "is not a package ID (3 characters A-Z or 0-9, then 5 hex digits 0-9 A-F, e.g. ABC00001)"
    }

    /// Splits a content ID `<PackageID>.<version>` ("ABC00001.3"); nil when it is not one.
    /// The version is a decimal number without leading zeros, so each version has
    /// exactly one content ID (the name of its DataLib folder).
    public static func parseContentID(_ s: String) -> (packageID: String, version: Int)? {
        guard let dot = s.firstIndex(of: ".") else { return nil }
        let package = String(s[..<dot])
        let digits = s[s.index(after: dot)...]
        guard isPackageID(package), let first = digits.utf8.first, digits.utf8.count <= 9,
              digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              first != UInt8(ascii: "0") || digits.utf8.count == 1,
              let version = Int(digits) else { return nil }
        return (package, version)
    }

    public static func contentID(_ packageID: String, version: Int) -> String {
        "\(packageID).\(version)"
    }

    /// A SHA-256 hash as 64 hex digits of either case → upper case; nil when it is not one.
    public static func normalizedHash(_ s: String) -> String? {
        SHA256Digest(hex: s)?.upperHex
    }

    /// Where FileLib keeps a blob: `<folder>/<first 4>/<HASH>` (`<first 4>/<HASH>`
    /// when `folder` is empty). The one place that layout is written; made in
    /// one allocation (a package of 100,000 files makes 100,000 of these).
    public static func blobPath(under folder: String, _ digest: SHA256Digest) -> String {
        blobPath(under: folder) { digest.writeUpperHex(into: $0) }
    }

    /// The same for a hash as text: 64 hex digits (a normalized hash: upper case).
    public static func blobPath(under folder: String, hash: String) -> String {
        guard let digest = SHA256Digest(hex: hash) else {
            // Not a hash: no blob can be there; the path still names what was asked.
            return folder.isEmpty ? hash : folder + "/" + hash
        }
        return blobPath(under: folder, digest)
    }

    private static func blobPath(under folder: String, writeHash: (UnsafeMutableBufferPointer<UInt8>) -> Void) -> String {
        var folder = folder
        return folder.withUTF8 { prefix in
            let start = prefix.isEmpty ? 0 : prefix.count + 1
            return String(unsafeUninitializedCapacity: start + 69) { out in
                if !prefix.isEmpty {
                    _ = UnsafeMutableBufferPointer(rebasing: out[0..<prefix.count]).initialize(from: prefix)
                    out[prefix.count] = UInt8(ascii: "/")
                }
                writeHash(UnsafeMutableBufferPointer(rebasing: out[(start + 5)..<(start + 69)]))
                for i in 0..<4 { out[start + i] = out[start + 5 + i] }
                out[start + 4] = UInt8(ascii: "/")
                return start + 69
            }
        }
    }
}

/// UTF-8 byte order: the order of `LibraryFile`s and folders in a package, and
/// of a media folder's children; independent of Unicode normalization (Swift's
/// `<` on String compares canonically equivalent forms equal).
@inline(__always)
public func utf8Precedes(_ a: String, _ b: String) -> Bool {
    // Over the contiguous UTF-8 storage, borrowed (no copy, no reference count):
    // the generic UTF8View comparison was a tenth of the time of loading a
    // 100,000-file package, and most of sorting its media tree.
    let fast: Bool?? = a.utf8.withContiguousStorageIfAvailable { x in
        b.utf8.withContiguousStorageIfAvailable { y in
            let n = min(x.count, y.count)
            var i = 0
            while i < n {
                if x[i] != y[i] { return x[i] < y[i] }
                i += 1
            }
            return x.count < y.count
        }
    }
    if let fast = fast ?? nil { return fast }
    return a.utf8.lexicographicallyPrecedes(b.utf8)
}
