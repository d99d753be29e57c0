import SystemIO
/// The rules a file or folder name must follow on one target. The media tree
/// refuses only what no target can hold (`anyTarget`); each image producer
/// checks the tree against its own rules, in its own module (`NameRules.fat`
/// in FATImage, `NameRules.joliet` in ISOImage), naming the file it cannot
/// hold — so a `;`, legal on a FAT stick, is refused only for an ISO.
///
/// The check itself is here, once: every name of a 100,000-file media passes
/// through it for each image, so a name of printable ASCII (nearly all) is
/// settled on its bytes.
public struct NameRules: Sendable {
    /// The target's name in messages ("FAT", "Joliet").
    public let target: String
    /// Printable ASCII characters the target cannot hold. Control characters
    /// (U+0000–U+001F, U+007F) are refused by every rule set.
    public let forbidden: Set<Unicode.Scalar>
    /// Longest name in UTF-16 units.
    public let maximumLength: Int
    /// Whether characters beyond U+FFFF (UTF-16 surrogate pairs) can be held.
    public let allowsBeyondUCS2: Bool
    /// Whether a name may end with a dot or a space (Windows drops them).
    public let allowsTrailingDotOrSpace: Bool

    public init(target: String, forbidden: Set<Unicode.Scalar>, maximumLength: Int,
                allowsBeyondUCS2: Bool, allowsTrailingDotOrSpace: Bool) {
        self.target = target
        self.forbidden = forbidden
        self.maximumLength = maximumLength
        self.allowsBeyondUCS2 = allowsBeyondUCS2
        self.allowsTrailingDotOrSpace = allowsTrailingDotOrSpace
        self.forbiddenMask = forbidden.reduce((UInt64(0), UInt64(0))) { mask, scalar in
            let v = scalar.value
            guard v < 128 else { return mask }
            return v < 64 ? (mask.0 | 1 << UInt64(v), mask.1) : (mask.0, mask.1 | 1 << UInt64(v - 64))
        }
    }

    /// What no target mediafs writes can hold: a separator (`/`, and `\`, which
    /// every Windows target reads as one), a control character, `.`/`..`, the
    /// empty name, more than 255 UTF-16 units (FAT's and NTFS's limit). The
    /// media tree refuses these; the mount's tree view serves any other name.
    public static let anyTarget = NameRules(target: "mediafs", forbidden: ["/", "\\"], maximumLength: 255,
                                            allowsBeyondUCS2: true, allowsTrailingDotOrSpace: true)

    /// Why `name` cannot be used on this target, or nil when it can.
    public func problem(with name: String) -> String? {
        let mask = forbiddenMask
        let maximumLength = maximumLength
        let allowsTrailing = allowsTrailingDotOrSpace
        let ascii: Bool? = name.utf8.withContiguousStorageIfAvailable { bytes in
            guard !bytes.isEmpty, bytes.count <= maximumLength else { return false }
            for c in bytes {
                guard c >= 0x20 && c < 0x7F else { return false }
                if (c < 64 ? mask.low >> c : mask.high >> (c - 64)) & 1 != 0 { return false }
            }
            let last = bytes[bytes.count - 1]
            // "." and ".." end with a dot: left to the full check below.
            if last == UInt8(ascii: ".") || (!allowsTrailing && last == UInt8(ascii: " ")) { return false }
            return true
        }
        if ascii == true { return nil }
        if name.isEmpty { return "the name is empty" }
        if name == "." || name == ".." { return "'\(name)' is not a name" }
        for scalar in name.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F { return "it contains a control character (U+\(Hex.upper(scalar.value, digits: 4)))" }
            if forbidden.contains(scalar) { return "it contains '\(scalar)', which \(target) cannot hold" }
            if !allowsBeyondUCS2 && scalar.value > 0xFFFF {
                return "it contains U+\(Hex.upper(scalar.value, digits: 4)), outside the UCS-2 range \(target) can hold"
            }
        }
        if !allowsTrailingDotOrSpace && (name.hasSuffix(".") || name.hasSuffix(" ")) {
            return "it ends with a dot or a space, which \(target) drops"
        }
        if name.utf16.count > maximumLength { return "it is \(name.utf16.count) characters long; \(target) holds at most \(maximumLength)" }
        return nil
    }

    /// `forbidden` (its ASCII part) as a bit per byte value 0-127.
    private let forbiddenMask: (low: UInt64, high: UInt64)

    /// The key under which FAT and Joliet (and Windows reading them) see two names as the same: they ignore case.
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

    /// A problem with one name of the tree, for a target that cannot hold it.
    public struct Violation: Sendable, Equatable {
        public enum Kind: Sendable, Equatable {
            /// The name breaks the target's rules.
            case badName(problem: String)
            /// Two names of one folder that differ only in case (`first` is the other's path).
            case caseCollision(first: String)
        }
        /// Path of the file or folder at fault.
        public let path: String
        public let kind: Kind
    }

    /// The first name of `tree` (depth first, in tree order) this target cannot
    /// hold, or two names of one folder it would see as one when `caseInsensitive`.
    public func firstViolation(in tree: MediaTree, caseInsensitive: Bool) -> Violation? {
        func check(_ folder: MediaDirectory, prefix: String) -> Violation? {
            var folded: [String: String] = [:]
            for child in folder.children {
                if let problem = problem(with: child.name) {
                    return Violation(path: prefix + child.name, kind: .badName(problem: problem))
                }
                if caseInsensitive {
                    let key = Self.caseFolded(child.name)
                    if let other = folded[key] {
                        return Violation(path: prefix + child.name, kind: .caseCollision(first: prefix + other))
                    }
                    folded[key] = child.name
                }
            }
            for child in folder.children {
                if case .directory(let sub) = child, let found = check(sub, prefix: prefix + sub.name + "/") { return found }
            }
            return nil
        }
        return check(tree.root, prefix: "")
    }
}
