import SystemIO

/// One file of a package version, as its per-file INI in DataLib describes it.
public struct LibraryFile: Sendable, Equatable {
    /// Path inside the package, "/"-separated ("sources/boot.wim").
    public let path: String
    public let size: UInt64
    /// 64 upper-case hex digits (SHA-256 of the bytes).
    public let hash: String
    /// `[File] Attributes=` (Windows file attributes: 0x20 archive, 0x01 read-only, …).
    public let attributes: UInt32
    /// Windows FILETIME: 100 ns ticks since 1601-01-01 UTC.
    public let timeModified: UInt64
    /// Absolute path of `FileLib/<first 4>/<HASH>`.
    public let blobPath: String

    public init(path: String, size: UInt64, hash: String, attributes: UInt32, timeModified: UInt64, blobPath: String) {
        self.path = path
        self.size = size
        self.hash = hash
        self.attributes = attributes
        self.timeModified = timeModified
        self.blobPath = blobPath
    }

    /// The file's name (last path component).
    public var name: String {
        splitPath(path).name
    }
}

/// One version of a package: what `DataLib/<ContentID>/` holds.
public struct PackageContent: Sendable {
    public let packageID: String
    public let version: Int
    /// `<PackageID>.<version>` ("ABC00001.3").
    public var contentID: String
    /// Display name, from `[Info] Name=` of the PkgLib INI (mediafs writes it; a site server does not).
    public let name: String?
    /// Sorted by path in UTF-8 byte order.
    public let files: [LibraryFile]
    /// Every folder path of the package, empty ones included, sorted in UTF-8 byte order.
    public let folders: [String]

    public init(packageID: String, version: Int, contentID: String, name: String?, files: [LibraryFile], folders: [String]) {
        self.packageID = packageID
        self.version = version
        self.contentID = contentID
        self.name = name
        self.files = files
        self.folders = folders
    }

    /// Sum of the file sizes.
    public var totalBytes: UInt64 { files.reduce(0) { $0 + $1.size } }
}

/// Windows FILETIME ↔ Unix time.
public enum FileTime {
    /// Seconds from 1601-01-01 to 1970-01-01.
    public static let unixEpochOffset: Int64 = 11_644_473_600

    /// The FILETIME of a Unix time; nil before 1601 (FILETIME cannot hold it).
    public static func fromUnix(seconds: Int64, nanoseconds: Int64) -> UInt64? {
        let s = seconds + unixEpochOffset
        guard s >= 0 else { return nil }
        return UInt64(s) * 10_000_000 + UInt64(max(0, nanoseconds) / 100)
    }

    /// The Unix time of a FILETIME (seconds, nanoseconds).
    public static func toUnix(_ fileTime: UInt64) -> (seconds: Int64, nanoseconds: Int64) {
        let seconds = Int64(fileTime / 10_000_000) - unixEpochOffset
        let nanoseconds = Int64(fileTime % 10_000_000) * 100
        return (seconds, nanoseconds)
    }
}
