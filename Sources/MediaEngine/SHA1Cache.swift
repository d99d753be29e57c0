import ContentLibrary
import SystemIO
import WIMImage

/// mediafs's SHA-1 cache: the SHA-1 of library blobs, keyed by the SHA-256 the
/// library records (a blob never changes under its SHA-256), so each blob is
/// hashed once per machine however many WIMs and mounts use it. Outside the
/// library: the library stays Configuration Manager's layout, and may be read-only.
///
/// Where: `$MEDIAFS_SHA1_CACHE/sha1-v1.txt` when that is set, else
/// `$XDG_CACHE_HOME/mediafs/sha1-v1.txt`, else `$HOME/.cache/mediafs/sha1-v1.txt`.
///
/// Format: one line per blob, appended, never rewritten:
///
///     <SHA-256, 64 upper-case hex> <size, decimal> <SHA-1, 40 lower-case hex> <check, 16 hex>
///
/// where the check is FNV-1a (64 bit) of the text before it: a line torn by a
/// crash or damaged on disk is skipped (and its blob hashed again), never used.
/// Two processes may fill the cache at once: appends take an exclusive `flock`,
/// reads a shared one (`AppendLog`). An entry applies only to a blob of the
/// same SHA-256 *and* size. A wrong entry that passes these checks (written on
/// purpose) is caught by export's verification, which hashes every blob with
/// SHA-1 as well as SHA-256 when the image is a WIM.
public struct SHA1Cache: Sendable {
    /// The cache file.
    public let path: String

    public static let fileName = "sha1-v1.txt"

    public init(path: String) { self.path = path }

    /// The cache for this environment, or nil when there is nowhere to put it (no HOME).
    public static func forEnvironment(_ environment: [String: String]) -> SHA1Cache? {
        if let dir = environment["MEDIAFS_SHA1_CACHE"], !dir.isEmpty { return SHA1Cache(path: dir + "/" + fileName) }
        if let dir = environment["XDG_CACHE_HOME"], dir.hasPrefix("/") { return SHA1Cache(path: dir + "/mediafs/" + fileName) }
        if let home = environment["HOME"], home.hasPrefix("/") { return SHA1Cache(path: home + "/.cache/mediafs/" + fileName) }
        return nil
    }

    public struct Entry: Sendable, Equatable {
        public let size: UInt64
        public let sha1: SHA1Digest
    }

    /// Every valid entry, by SHA-256. Unreadable cache: empty (everything is hashed again).
    public func load() -> [SHA256Digest: Entry] {
        guard let bytes = try? AppendLog.read(path) else { return [:] }
        return Self.parse(bytes)
    }

    /// The valid entries of a cache file's bytes (`package`: the fuzz target reads it; the file is outside input).
    package static func parse(_ bytes: [UInt8]) -> [SHA256Digest: Entry] {
        var entries: [SHA256Digest: Entry] = [:]
        entries.reserveCapacity(bytes.count / 128)
        var start = 0
        while start < bytes.count {
            guard let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) else { break }  // torn tail
            if let (key, entry) = parseLine(bytes[start ..< newline]) { entries[key] = entry }
            start = newline + 1
        }
        return entries
    }

    /// `SHA256 SIZE SHA1 CHECK`, exactly; nil for anything else. Byte by byte,
    /// without intermediate arrays: a mount of 100,000 files reads 100,000 lines.
    static func parseLine(_ line: ArraySlice<UInt8>) -> (SHA256Digest, Entry)? {
        let start = line.startIndex
        // 64 + 1 + size (1-20 digits) + 1 + 40 + 1 + 16
        guard line.count >= 124, line.count <= 143, line[start + 64] == UInt8(ascii: " ") else { return nil }
        let sizeEnd = line.endIndex - 58
        guard line[sizeEnd] == UInt8(ascii: " "), line[line.endIndex - 17] == UInt8(ascii: " ") else { return nil }
        var size: UInt64 = 0
        for c in line[(start + 65) ..< sizeEnd] {
            guard c >= 0x30 && c <= 0x39 else { return nil }
            let (times10, o1) = size.multipliedReportingOverflow(by: 10)
            let (next, o2) = times10.addingReportingOverflow(UInt64(c - 0x30))
            guard !o1, !o2 else { return nil }
            size = next
        }
        var check: UInt64 = 0
        for c in line[(line.endIndex - 16)...] {
            guard let v = SHA1Digest.nibbleValue(c), c < 0x41 || c > 0x46 else { return nil }  // lower-case hex
            check = check << 4 | UInt64(v)
        }
        // The SHA-256 in upper case only (what `line` writes), so each entry has one spelling.
        guard check == fnv1a(line[start ..< line.endIndex - 17]),
              let sha256 = line[start ..< start + 64].withUnsafeBufferPointer({ hex in
                  SHA256Digest.isUpperCase(hex) ? SHA256Digest(hex: hex) : nil
              }),
              let sha1 = SHA1Digest(hexBytes: line[(sizeEnd + 1) ..< (line.endIndex - 17)]) else { return nil }
        return (sha256, Entry(size: size, sha1: sha1))
    }

    /// One cache line, newline included.
    package static func line(sha256: SHA256Digest, size: UInt64, sha1: SHA1Digest) -> String {
        let text = "\(sha256.upperHex) \(size) \(sha1)"
        return text + " " + Hex.lower(fnv1a(Array(text.utf8)[...]), digits: 16) + "\n"
    }

    /// Appends entries (one `write` under the lock).
    public func append(_ entries: [(sha256: SHA256Digest, size: UInt64, sha1: SHA1Digest)]) throws {
        let text = entries.map { Self.line(sha256: $0.sha256, size: $0.size, sha1: $0.sha1) }.joined()
        try AppendLog.append(path, bytes: Array(text.utf8))
    }

    static func fnv1a(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return h
    }
}
