import ContentLibrary
import RegionMap
import SystemIO

/// A moment in UTC, to the 100 ns tick a Windows FILETIME carries.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Seconds since 1970-01-01 00:00:00 UTC.
    public var seconds: Int64
    /// 0 ..< 1_000_000_000.
    public var nanoseconds: Int32

    public init(seconds: Int64, nanoseconds: Int32 = 0) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    /// FILETIME ticks between 1601-01-01 and 1970-01-01.
    static let fileTimeEpochOffset: Int64 = 116_444_736_000_000_000

    /// From a Windows FILETIME (100 ns ticks since 1601-01-01 UTC).
    public init(fileTime: UInt64) {
        let ticks = Int64(clamping: fileTime) - Timestamp.fileTimeEpochOffset
        var seconds = ticks / 10_000_000
        var rest = ticks % 10_000_000
        if rest < 0 { rest += 10_000_000; seconds -= 1 }
        self.init(seconds: seconds, nanoseconds: Int32(rest * 100))
    }

    public var fileTime: UInt64 {
        UInt64(max(0, seconds * 10_000_000 + Int64(nanoseconds / 100) + Timestamp.fileTimeEpochOffset))
    }

    public static func < (a: Timestamp, b: Timestamp) -> Bool {
        (a.seconds, a.nanoseconds) < (b.seconds, b.nanoseconds)
    }

    /// Broken down in UTC (proleptic Gregorian), for FAT and ISO date fields.
    public var utc: (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        let t = CivilTime.utc(seconds)
        return (t.year, t.month, t.day, t.hour, t.minute, t.second)
    }

    /// `2026-11-21T02:41:00Z` (with fractional seconds when there are any).
    public var description: String { CivilTime.iso8601(seconds, nanoseconds: Int(nanoseconds)) }
}

/// DOS/Windows file attributes kept from the library (`Attributes=` in hex).
public struct FileAttributes: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let readOnly = FileAttributes(rawValue: 0x01)
    public static let hidden = FileAttributes(rawValue: 0x02)
    public static let system = FileAttributes(rawValue: 0x04)
    public static let archive = FileAttributes(rawValue: 0x20)
}

/// Where a media file's bytes come from.
public enum ByteSource: Sendable {
    /// A library blob, by hash, read when a reader asks.
    case blob(Blob)
    /// Bytes synthesized by mediafs (MediaLabel.txt, TsmBootstrap.ini, …).
    case bytes(SharedBytes)

    public var size: UInt64 {
        switch self {
        case .blob(let b): return b.size
        case .bytes(let s): return UInt64(s.count)
        }
    }

    /// The file as a one-region layout: how every reader serves a tree file.
    public var layout: Layout {
        switch self {
        case .blob(let b): return .single(.blob(b, offset: 0), length: b.size)
        case .bytes(let s): return .single(.bytes(s, offset: 0), length: UInt64(s.count))
        }
    }
}

/// A file of the media. A class: a tree of 100,000 files moves and sorts
/// references, not 100-byte values with five reference counts each.
public final class MediaFile: Sendable {
    public let name: String
    public let source: ByteSource
    public let modified: Timestamp
    public let attributes: FileAttributes
    /// The package the file comes from (`ABC00001`), or nil for synthesized files.
    public let package: String?

    public init(name: String, source: ByteSource, modified: Timestamp, attributes: FileAttributes = [], package: String? = nil) {
        self.name = name
        self.source = source
        self.modified = modified
        self.attributes = attributes
        self.package = package
    }

    public var size: UInt64 { source.size }
}

public final class MediaDirectory: Sendable {
    public let name: String
    public let modified: Timestamp
    /// Sorted by `MediaNode.sortKey` (the UTF-8 bytes of the name), unique ignoring case.
    public let children: [MediaNode]

    public init(name: String, modified: Timestamp, children: [MediaNode]) {
        self.name = name
        self.modified = modified
        // Children usually come in order already (the builder keeps the order
        // packages add them in, which is name order): check before sorting.
        let inOrder = children.indices.dropFirst().allSatisfy { utf8Precedes(children[$0 - 1].name, children[$0].name) }
        self.children = inOrder ? children : children.sorted { utf8Precedes($0.name, $1.name) }
    }

    /// The child named exactly `name`.
    public func child(named name: String) -> MediaNode? {
        var low = 0, high = children.count
        while low < high {
            let mid = (low + high) / 2
            let n = children[mid].name
            if n == name { return children[mid] }
            if utf8Precedes(n, name) { low = mid + 1 } else { high = mid }
        }
        return nil
    }
}

public enum MediaNode: Sendable {
    case file(MediaFile)
    case directory(MediaDirectory)

    public var name: String {
        switch self {
        case .file(let f): return f.name
        case .directory(let d): return d.name
        }
    }

    public var modified: Timestamp {
        switch self {
        case .file(let f): return f.modified
        case .directory(let d): return d.modified
        }
    }
}

/// The files and folders of one media, immutable. Same spec and snapshot → same tree.
public struct MediaTree: Sendable {
    public let root: MediaDirectory
    /// The media label (`MediaLabel.txt`, the ISO volume ID, the FAT label's source).
    public let label: String
    /// The fingerprint once computed (a tree never changes; a mount asks for it
    /// for its identity and again for each image's serials or GUID).
    let fingerprintMemo = FingerprintMemo()

    public init(root: MediaDirectory, label: String) {
        self.root = root
        self.label = label
    }

    /// Every file with its path (`SMS/data/Variables.dat`, no leading slash), depth first, in sorted order.
    public func forEachFile(_ body: (String, MediaFile) throws -> Void) rethrows {
        try forEachFileInFolder { folder, file in try body(folder + file.name, file) }
    }

    /// Every file with the path of its folder (`SMS/data/`, with its slash; "" at
    /// the root), in the order of `forEachFile`: the folder's path is made once
    /// for all its files, and a file's own path only by a caller that needs it.
    public func forEachFileInFolder(_ body: (String, MediaFile) throws -> Void) rethrows {
        func walk(_ dir: MediaDirectory, _ prefix: String) throws {
            for child in dir.children {
                switch child {
                case .file(let f): try body(prefix, f)
                case .directory(let d): try walk(d, prefix + d.name + "/")
                }
            }
        }
        try walk(root, "")
    }

    /// Every node with its path, parents before children (folders too).
    public func forEachNode(_ body: (String, MediaNode) throws -> Void) rethrows {
        func walk(_ dir: MediaDirectory, _ prefix: String) throws {
            for child in dir.children {
                let path = prefix + child.name
                try body(path, child)
                if case .directory(let d) = child { try walk(d, path + "/") }
            }
        }
        try walk(root, "")
    }

    /// The node at `path` (`a/b/c`), or nil.
    public func node(at path: String) -> MediaNode? {
        var current = MediaNode.directory(root)
        for part in path.split(separator: "/") {
            guard case .directory(let d) = current, let next = d.child(named: String(part)) else { return nil }
            current = next
        }
        return current
    }

    public var totalBytes: UInt64 {
        var total: UInt64 = 0
        forEachFileInFolder { _, f in total += f.size }
        return total
    }
}

