import Crypto
import MediaTree
import RegionMap
import SystemIO

/// The descriptive fields of the image, written into the WIM's XML (see the
/// README, "Prestaged media": which element holds which field).
public struct WIMProperties: Sendable, Equatable {
    /// `<NAME>`: the media label.
    public var name: String
    /// The wizard's "Created by", "Version" and "Comment" (prestaged media); nil: not given.
    public var createdBy: String?
    public var version: String?
    public var comment: String?

    public init(name: String, createdBy: String? = nil, version: String? = nil, comment: String? = nil) {
        self.name = name
        self.createdBy = createdBy
        self.version = version
        self.comment = comment
    }
}

/// A SHA-1 digest: how a WIM names content. Held inline (no array): a WIM of
/// 100,000 files keeps, hashes and compares one per file.
public struct SHA1Digest: Hashable, Sendable, CustomStringConvertible {
    /// The 20 bytes, big-endian: bytes 0-7, 8-15, 16-19.
    private let w0, w1: UInt64
    private let w2: UInt32

    /// `bytes` must be 20 bytes long.
    public init?(_ bytes: [UInt8]) {
        guard bytes.count == 20 else { return nil }
        self.init(unchecked: bytes)
    }

    public static func of<B: Sequence>(_ data: B) -> SHA1Digest where B.Element == UInt8 {
        var hasher = Insecure.SHA1()
        hasher.update(data: Array(data))
        return SHA1Digest(unchecked: Array(hasher.finalize()))
    }

    init(unchecked bytes: [UInt8]) {
        func word(_ range: Range<Int>) -> UInt64 { bytes[range].reduce(0) { $0 << 8 | UInt64($1) } }
        w0 = word(0..<8)
        w1 = word(8..<16)
        w2 = UInt32(word(16..<20))
    }

    static let zero = SHA1Digest(unchecked: [UInt8](repeating: 0, count: 20))

    /// The 20 bytes.
    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 20)
        out.withUnsafeMutableBytes { store(into: $0, at: 0) }
        return out
    }

    /// Writes the 20 bytes at `offset` of `raw` (which must hold them).
    func store(into raw: UnsafeMutableRawBufferPointer, at offset: Int) {
        precondition(offset >= 0 && offset + 20 <= raw.count, "SHA-1 at \(offset) past the buffer's end")
        raw.storeBytes(of: w0.bigEndian, toByteOffset: offset, as: UInt64.self)
        raw.storeBytes(of: w1.bigEndian, toByteOffset: offset + 8, as: UInt64.self)
        raw.storeBytes(of: w2.bigEndian, toByteOffset: offset + 16, as: UInt32.self)
    }

    /// Lower-case hex, as wimlib prints it.
    public var description: String { Hex.lower(bytes) }

    /// Parses 40 hex digits (either case).
    public init?(hex: some StringProtocol) {
        self.init(hexBytes: Array(hex.utf8)[...])
    }

    /// Parses 40 ASCII hex digits (either case).
    public init?(hexBytes chars: ArraySlice<UInt8>) {
        guard chars.count == 40 else { return nil }
        var out = [UInt8](repeating: 0, count: 20)
        var i = chars.startIndex
        for k in 0..<20 {
            guard let hi = Self.nibbleValue(chars[i]), let lo = Self.nibbleValue(chars[i + 1]) else { return nil }
            out[k] = hi << 4 | lo
            i += 2
        }
        self.init(unchecked: out)
    }

    /// The value of one hex digit (either case), or nil.
    public static func nibbleValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }
}

/// A media tree as one WIM file (one image, uncompressed resources) — a region
/// map like the USB and ISO images:
///
///     header (208) | each distinct content once | metadata resource | lookup table | XML
///
/// Everything but the file data is computed in memory before a byte is served;
/// each distinct content is one library blob range (or memory for synthesized
/// files), however many files share it. The format follows
/// `shared/reference/wim-format.md` (wimlib's and 7-Zip's readers).
public enum WIMImage {
    /// The layout of the WIM. `sha1` gives the SHA-1 of every library blob of
    /// the tree (the content library records SHA-256 only; nil: not known, an
    /// error); synthesized files are hashed here. The GUID and every time come
    /// from the tree and `properties`: same inputs, same bytes.
    public static func layout(_ tree: MediaTree, sha1: (Blob) -> SHA1Digest?,
                              properties: WIMProperties) throws(WIMImageError) -> Layout {
        let plan = try WIMPlan(tree: tree, sha1: sha1)
        return WIMWriter(plan: plan, properties: properties, fingerprint: tree.fingerprint).layout()
    }

    /// The same with the SHA-1s by blob path (tests, small trees).
    public static func layout(_ tree: MediaTree, sha1s: [String: SHA1Digest],
                              properties: WIMProperties) throws(WIMImageError) -> Layout {
        try layout(tree, sha1: { sha1s[$0.path] }, properties: properties)
    }

    /// Why `name` cannot be a WIM file name, or nil. The one place for WIM name
    /// rules: the media tree's own rules (FAT and Joliet) are stricter today, so
    /// this only guards what the WIM format itself cannot hold.
    public static func nameProblem(_ name: String) -> String? {
        if name.isEmpty { return "the name is empty" }
        if name.utf16.count > Int(UInt16.max / 2) { return "it is longer than a WIM name can be (32767 UTF-16 units)" }
        for scalar in name.unicodeScalars where scalar == "/" || scalar == "\\" || scalar.value == 0 {
            return "it contains a character a WIM name cannot hold (U+\(String(scalar.value, radix: 16, uppercase: true)))"
        }
        return nil
    }
}

public enum WIMImageError: Error, CustomStringConvertible, Equatable {
    /// A library file whose SHA-1 was not computed (the caller's SHA-1 pass missed it).
    case missingSHA1(path: String, blob: String)
    case badName(path: String, problem: String)

    public var description: String {
        switch self {
        case .missingSHA1(let path, let blob):
            return "\(path): the SHA-1 of its blob \(blob) is not known, and a WIM names content by SHA-1"
        case .badName(let path, let problem):
            return "\(path): this name cannot be put in a WIM: \(problem)"
        }
    }
}
