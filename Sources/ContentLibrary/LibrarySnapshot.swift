import Crypto
import Synchronization
import SystemIO

/// An immutable view of a content library: the PkgLib INI files as they were
/// when the snapshot was taken, with each package's current version resolved
/// then. A package's files are read from DataLib the first time it is asked for
/// and kept: a content ID's DataLib entry is never rewritten once published (a
/// new version gets a new content ID), so reading it late is still reading the
/// state the snapshot saw.
public final class LibrarySnapshot: Sendable {
    public let root: String
    /// Identity of what this snapshot saw in PkgLib: SHA-256 over every PkgLib INI
    /// (name and bytes, in name order). Equal generations mean equal package versions.
    public let generation: String

    /// Whether loading a package stats each of its blobs and compares the size
    /// DataLib records (a missing or different blob is then an error naming the file).
    public let checksBlobSizes: Bool

    let indexes: [String: PackageIndex]
    /// PkgLib entries that cannot be read as a package, by package ID (see `brokenPackages`).
    let broken: [String: ContentLibraryError]
    private let loaded = Mutex<[String: PackageContent]>([:])
    /// FileLib's folders, listed the first time a package's blobs are checked.
    private let fileLibFolders = Mutex<FileLibFolders?>(nil)

    init(root: String, checkBlobSizes: Bool = true) throws {
        self.root = root
        self.checksBlobSizes = checkBlobSizes
        var digest = SHA256()
        var indexes: [String: PackageIndex] = [:]
        let pkgLib: OpenDirectory
        do { pkgLib = try OpenDirectory(path: root + "/PkgLib", beneath: root) } catch {
            throw ContentLibraryError.from(error, path: root + "/PkgLib")
        }
        var listing = try PackageIndex.list(pkgLib)
        for (packageID, name, path) in listing.files {
            // One package's PkgLib INI that cannot be read or parsed breaks that
            // package only: a media that does not use it is still made.
            let bytes: [UInt8]
            do { bytes = try pkgLib.readFile(name) } catch {
                listing.broken[packageID] = ContentLibraryError.from(error, path: path)
                digest.update(data: Array(packageID.utf8) + [1] + Array("\(error)".utf8) + [0])
                continue
            }
            digest.update(data: Array(packageID.utf8) + [0] + Array(String(bytes.count).utf8) + [0])
            digest.update(data: bytes)
            do {
                indexes[packageID] = try PackageIndex(packageID: packageID, path: path, bytes: bytes)
            } catch {
                listing.broken[packageID] = ContentLibraryError.from(error, path: path)
            }
        }
        for (packageID, error) in listing.broken.sorted(by: { utf8Precedes($0.key, $1.key) }) {
            digest.update(data: Array(packageID.utf8) + [2] + Array(error.description.utf8) + [0])
        }
        self.indexes = indexes
        self.broken = listing.broken
        self.generation = Hex.upper(digest.finalize())
    }

    /// A package whose PkgLib entry cannot be used (it does not parse, cannot be
    /// read, leads outside the library…), or a version whose DataLib entry
    /// cannot (`LibraryVerifier`). Such a package is an error only for a media
    /// that uses it.
    public struct BrokenPackage: Sendable, Equatable {
        /// A package ID ("ABC00001"), a content ID ("ABC00001.2") or, for a PkgLib
        /// file not named by a package ID, its name without `.INI`.
        public let reference: String
        public let error: ContentLibraryError
    }

    /// The PkgLib entries that are not usable packages, sorted by package ID.
    public var brokenPackages: [BrokenPackage] {
        broken.map { BrokenPackage(reference: $0.key, error: $0.value) }.sorted { utf8Precedes($0.reference, $1.reference) }
    }

    /// Every package ID, sorted.
    public var packageIDs: [String] { indexes.keys.sorted(by: utf8Precedes) }

    /// The versions of a package, ascending (empty for an unknown package).
    public func versions(of packageID: String) -> [Int] { indexes[packageID]?.versions ?? [] }

    /// The version `package(packageID)` gives: `[Info] Version=` of PkgLib, else the highest.
    public func currentVersion(of packageID: String) -> Int? { indexes[packageID]?.currentVersion }

    /// The display name recorded in PkgLib, if any.
    public func name(of packageID: String) -> String? { indexes[packageID]?.name }

    /// "ABC00001" → its current version; "ABC00001.3" → that version.
    /// Errors name the INI file or package at fault.
    public func package(_ reference: String) throws -> PackageContent {
        let (index, version) = try resolve(reference)
        let contentID = LibraryNames.contentID(index.packageID, version: version)
        if let cached = loaded.withLock({ $0[contentID] }) { return cached }
        // Loaded outside the lock: two threads asking for the same package at once
        // both read it (same result), rather than every other package waiting.
        let content = try DataLibReader(root: root, checkBlobs: checksBlobSizes,
                                        fileLibFolders: checksBlobSizes ? listedFileLibFolders() : .none)
            .load(packageID: index.packageID, version: version, name: index.name, namedBy: index.path)
        return loaded.withLock { cache in
            if let first = cache[contentID] { return first }
            cache[contentID] = content
            return content
        }
    }

    /// FileLib's real folders, listed once per snapshot (a listing taken late
    /// only misses folders made since: their blobs take the slow check).
    private func listedFileLibFolders() -> FileLibFolders {
        if let known = fileLibFolders.withLock({ $0 }) { return known }
        let listed = FileLibFolders.list(root: root)
        fileLibFolders.withLock { $0 = listed }
        return listed
    }

    /// The package and version a reference names.
    func resolve(_ reference: String) throws -> (PackageIndex, Int) {
        let packageID: String
        var version: Int? = nil
        if reference.contains(".") {
            guard let parsed = LibraryNames.parseContentID(reference) else {
                throw ContentLibraryError.invalidIdentifier(path: root, identifier: reference,
                    reason: "is not a package reference (a package ID like ABC00001, or a content ID like ABC00001.3)")
            }
            (packageID, version) = (parsed.packageID, parsed.version)
        } else {
            if let problem = LibraryNames.packageIDProblem(reference) {
                throw ContentLibraryError.invalidIdentifier(path: root, identifier: reference, reason: problem)
            }
            packageID = reference
        }
        guard let index = indexes[packageID] else {
            if let error = broken[packageID] { throw error }
            throw ContentLibraryError.unknownPackage(path: root + "/PkgLib", reference: reference,
                reason: "no such package (there is no PkgLib/\(packageID).INI)")
        }
        let chosen = version ?? index.currentVersion
        guard index.versions.contains(chosen) else {
            throw ContentLibraryError.unknownPackage(path: index.path, reference: reference,
                reason: "no such version (the package has \(index.versions.map { "\(packageID).\($0)" }.joined(separator: ", ")))")
        }
        return (index, chosen)
    }
}
