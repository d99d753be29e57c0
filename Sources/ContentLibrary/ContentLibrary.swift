import SystemIO

/// A content library in the layout of a Configuration Manager distribution point:
///
///     SCCMContentLib/
///       PkgLib/<PackageID>.INI         [Packages] <ContentID>=   [Info] Version= Name=
///       DataLib/<ContentID>.INI        [Info] Hash=
///       DataLib/<ContentID>/…          the package tree; each file as <name>.INI ([File] Size= Hash= Attributes= TimeModified=)
///       FileLib/<first 4>/<HASH>       the bytes, once per SHA-256
///       FileLib/<first 4>/<HASH>.INI   [Packages] <ContentID>=  (the content IDs using the blob)
///
/// Readers take an immutable `LibrarySnapshot`; writers (`addPackage`) hold an
/// exclusive lock on `.mediafs.lock` and publish by atomic renames.
public final class ContentLibrary: Sendable {
    /// Absolute path of the SCCMContentLib folder.
    public let root: String

    static let folders = ["PkgLib", "DataLib", "FileLib"]
    static let lockName = ".mediafs.lock"

    /// Opens the library at `root`: an error naming the folder if it is not one.
    public init(root: String) throws {
        var absolute = FileSystem.absolute(root)
        while absolute.count > 1 && absolute.hasSuffix("/") { absolute.removeLast() }
        self.root = absolute
        guard FileSystem.isDirectory(absolute) else {
            throw ContentLibraryError.notALibrary(path: root, reason: "no such folder")
        }
        for folder in Self.folders where !FileSystem.isDirectory(absolute + "/" + folder) {
            throw ContentLibraryError.notALibrary(path: root, reason: "it has no \(folder) folder")
        }
    }

    /// Creates an empty library at `root` (and its parents): `library init`.
    /// An existing library is left as it is; an existing folder holding anything else is refused.
    @discardableResult
    public static func initialize(at root: String) throws -> ContentLibrary {
        if FileSystem.isDirectory(root) {
            let known = Set(folders + [lockName])
            if let stranger = try FileSystem.listDirectory(root).map(\.name).sorted().first(where: { !known.contains($0) }) {
                throw ContentLibraryError.notALibrary(path: root, reason: "the folder is not empty (it holds '\(stranger)')")
            }
        } else if try FileSystem.status(root) != nil {
            throw ContentLibraryError.notALibrary(path: root, reason: "it exists and is not a folder")
        }
        for folder in folders {
            try FileSystem.createDirectory(root + "/" + folder)
        }
        return try ContentLibrary(root: root)
    }

    /// Reads every PkgLib INI now; package contents are read when first asked for.
    /// `checkBlobSizes`: loading a package stats each blob it names and refuses
    /// one that is missing or of another size than DataLib records. A mount
    /// turns it off: it checks each blob when a reader opens its file, and
    /// the stats were a sixth of the time of mounting a 100,000-file package.
    public func snapshot(checkBlobSizes: Bool = true) throws -> LibrarySnapshot {
        try LibrarySnapshot(root: root, checkBlobSizes: checkBlobSizes)
    }

    /// Adds the files under `folder` as a new version of `packageID` and returns it.
    public func addPackage(_ packageID: String, name: String?, from folder: String) throws -> PackageContent {
        try PackageWriter(library: self).add(packageID, name: name, from: folder)
    }

    /// Re-hashes every blob of FileLib; lists missing and mismatched ones.
    public func verify() throws -> LibraryVerifyReport {
        try LibraryVerifier(library: self).run()
    }

    var pkgLib: String { root + "/PkgLib" }
    var dataLib: String { root + "/DataLib" }
    var fileLib: String { root + "/FileLib" }
    func pkgLibINI(_ packageID: String) -> String { pkgLib + "/" + packageID + ".INI" }
    func blobPath(_ hash: String) -> String { LibraryNames.blobPath(under: fileLib, hash: hash) }
}
