import Crypto
import SystemIO

/// `library add`: a plain folder → a new version of a package.
///
/// Order of publication, so that a reader (a snapshot, a live mount) never sees
/// half a package and a crash leaves at worst unreferenced leftovers:
///   1. blobs: each file is hashed while it is copied to a temporary file in
///      FileLib, then renamed to `FileLib/<first 4>/<HASH>` (dropped if that blob
///      exists); `<HASH>.INI` gains the content ID. A reference to a content ID
///      that never gets published is harmless (it only keeps a blob alive).
///   2. syncfs: the blobs are on disk before anything names them.
///   3. DataLib: the per-file INI tree is built in `DataLib/.<ContentID>.mediafs-tmp`
///      and renamed to `DataLib/<ContentID>`; then `DataLib/<ContentID>.INI`.
///   4. syncfs, then `PkgLib/<PackageID>.INI` rewritten by atomic rename (fsync'd):
///      only now does the version exist for readers.
/// Writers exclude each other with flock on `<LIB>/.mediafs.lock`; readers take no lock.
/// Everything written is a function of the folder's contents, names and mtimes (no clock).
struct PackageWriter {
    let library: ContentLibrary

    struct SourceFile {
        let relative: String
        let full: String
    }

    func add(_ packageID: String, name: String?, from folder: String) throws -> PackageContent {
        let indexPath = library.pkgLibINI(packageID)
        if let problem = LibraryNames.packageIDProblem(packageID) {
            throw ContentLibraryError.invalidIdentifier(path: indexPath, identifier: packageID, reason: problem)
        }
        let displayName = try name.map { try checkedName($0, indexPath: indexPath) }
        guard let st = try FileSystem.status(folder), st.kind == .directory else {
            throw ContentLibraryError.conflict(path: folder, reason: "is not a folder")
        }
        // Everything that can be refused in the source is refused before the library is touched.
        var files: [SourceFile] = []
        var folders: [String] = []
        try scan(FileSystem.absolute(folder), relative: "", files: &files, folders: &folders)

        let lock = try FileLock(exclusive: library.root + "/" + ContentLibrary.lockName)
        defer { withExtendedLifetime(lock) {} }

        let existing = try currentIndex(packageID)
        let version = try nextVersion(packageID, index: existing)
        let contentID = LibraryNames.contentID(packageID, version: version)

        // 1. Blobs.
        var blobs = BlobStore(library: library)
        var libraryFiles: [LibraryFile] = []
        libraryFiles.reserveCapacity(files.count)
        for file in files {
            let stored = try blobs.store(from: file.full)
            libraryFiles.append(LibraryFile(path: file.relative, size: stored.size, hash: stored.hash,
                                            attributes: stored.attributes, timeModified: stored.timeModified,
                                            blobPath: library.blobPath(stored.hash)))
        }
        libraryFiles.sort { utf8Precedes($0.path, $1.path) }
        folders.sort(by: utf8Precedes)
        for hash in Set(libraryFiles.map(\.hash)).sorted() {
            let refPath = library.blobPath(hash) + ".INI"
            // Read beneath the library: a reference list linked from outside is refused, not copied in.
            var ini = INIFile()
            do {
                ini = try INIFile(parsing: OpenFile(path: refPath, beneath: library.root).readAll(), path: refPath)
            } catch let error as SystemError where error.isNotFound {
                // A new blob: a new reference list.
            } catch {
                throw ContentLibraryError.from(error, path: refPath)
            }
            ini.set(contentID, to: "", in: "Packages")
            try FileSystem.writeAtomically(refPath, bytes: ini.rendered(), sync: false)
        }
        try FileSystem.syncFileSystem(containing: library.fileLib)

        // 3. DataLib.
        let dataFolder = library.dataLib + "/" + contentID
        let building = library.dataLib + "/." + contentID + ".mediafs-tmp"
        do {
            try FileSystem.removeTree(building)   // a crashed writer's leftover (we hold the lock)
            try FileSystem.createDirectory(building)
            for folder in folders {
                try FileSystem.createDirectory(building + "/" + folder)
            }
            for file in libraryFiles {
                var ini = INIFile()
                ini.set("Size", to: String(file.size), in: "File")
                ini.set("Hash", to: file.hash, in: "File")
                ini.set("Attributes", to: String(file.attributes, radix: 16, uppercase: true), in: "File")
                ini.set("TimeModified", to: String(file.timeModified), in: "File")
                let out = try OpenFile(path: building + "/" + file.path + ".INI", mode: .write, create: true, exclusive: true)
                try out.write(ini.rendered())
            }
            try FileSystem.rename(building, to: dataFolder)
        } catch {
            try? FileSystem.removeTree(building)
            throw error
        }
        var contentINI = INIFile()
        contentINI.set("Hash", to: Self.contentHash(files: libraryFiles, folders: folders), in: "Info")
        try FileSystem.writeAtomically(dataFolder + ".INI", bytes: contentINI.rendered(), sync: false)
        try FileSystem.syncFileSystem(containing: library.dataLib)

        // 4. PkgLib, last.
        var index = existing?.ini ?? INIFile()
        index.set(contentID, to: "", in: "Packages")
        index.set("Version", to: String(version), in: "Info")
        if let displayName { index.set("Name", to: displayName, in: "Info") }
        try FileSystem.writeAtomically(existing?.path ?? indexPath, bytes: index.rendered(), sync: true)
        try FileSystem.syncDirectory(library.pkgLib)

        return PackageContent(packageID: packageID, version: version, contentID: contentID,
                              name: displayName ?? existing?.name, files: libraryFiles, folders: folders)
    }

    /// `[Info] Hash=` of `DataLib/<ContentID>.INI`. Configuration Manager's algorithm is
    /// not published; mediafs's is the upper-case SHA-256 of this manifest (UTF-8, LF):
    /// one line `<HASH> <size> <path>` per file in path order (UTF-8 byte order),
    /// then one line `<path>/` per folder in the same order. It covers the content
    /// (names, bytes, empty folders), not times or attributes.
    static func contentHash(files: [LibraryFile], folders: [String]) -> String {
        var digest = SHA256()
        for file in files {
            digest.update(data: Array("\(file.hash) \(file.size) \(file.path)\n".utf8))
        }
        for folder in folders {
            digest.update(data: Array("\(folder)/\n".utf8))
        }
        return Hex.upper(digest.finalize())
    }

    private func checkedName(_ name: String, indexPath: String) throws -> String {
        let trimmed = name.trimmingBlanks()
        if trimmed.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw ContentLibraryError.invalidValue(path: indexPath, key: "Name", value: name,
                reason: "a display name cannot contain control characters (it is one INI line)")
        }
        return trimmed
    }

    /// Walks the source folder in name order: regular files and folders only, names
    /// checked by the same rules as reading.
    private func scan(_ full: String, relative: String, files: inout [SourceFile], folders: inout [String]) throws {
        let entries = try FileSystem.listDirectory(full).sorted { utf8Precedes($0.name, $1.name) }
        let fileNames = Set(entries.filter { $0.kind == .regular }.map(\.name))
        for entry in entries {
            let path = full + "/" + entry.name
            if let problem = LibraryNames.problem(with: entry.name) {
                throw ContentLibraryError.invalidName(path: path, reason: problem)
            }
            let child = joinedPath(relative, entry.name)
            switch entry.kind {
            case .directory:
                // In DataLib the file "x" becomes "x.INI": a folder "x.INI" beside it would collide.
                if hasINISuffix(entry.name),
                   let clash = fileNames.first(where: { asciiCaseInsensitiveEqual($0 + ".INI", entry.name) }) {
                    throw ContentLibraryError.conflict(path: path,
                        reason: "a folder named like the per-file INI of the file '\(clash)' beside it")
                }
                folders.append(child)
                try scan(path, relative: child, files: &files, folders: &folders)
            case .regular:
                // DataLib records the file as "<name>.INI": that name must fit too.
                let bytes = entry.name.utf8.count
                if bytes > LibraryNames.maximumFileNameBytes {
                    throw ContentLibraryError.invalidName(path: path,
                        reason: "the name is \(bytes) bytes of UTF-8; DataLib keeps the file's record as '<name>.INI', "
                            + "and a file system here names at most 255 bytes, so a file name can have at most "
                            + "\(LibraryNames.maximumFileNameBytes)")
                }
                files.append(SourceFile(relative: child, full: path))
            default:
                throw ContentLibraryError.unsupportedEntry(path: path, kind: kindName(entry.kind))
            }
        }
    }

    /// The package's PkgLib INI as it is now (nil for a new package).
    private func currentIndex(_ packageID: String) throws -> PackageIndex? {
        let pkgLib = try OpenDirectory(path: library.pkgLib, beneath: library.root)
        let listing = try PackageIndex.list(pkgLib)
        if let broken = listing.broken[packageID] { throw broken }
        guard let found = listing.files.first(where: { $0.packageID == packageID }) else { return nil }
        return try PackageIndex(packageID: packageID, path: found.path, bytes: pkgLib.readFile(found.name))
    }

    /// One more than any version PkgLib lists or DataLib holds: a DataLib entry left
    /// by a writer that crashed before step 4 is never reused (published names are
    /// never rewritten).
    private func nextVersion(_ packageID: String, index: PackageIndex?) throws -> Int {
        var highest = index?.versions.last ?? 0
        for entry in try FileSystem.listDirectory(library.dataLib) {
            var name = entry.name
            if hasINISuffix(name) { name = String(decoding: name.utf8.dropLast(4), as: UTF8.self) }
            if let parsed = LibraryNames.parseContentID(name), parsed.packageID == packageID {
                highest = max(highest, parsed.version)
            }
        }
        return highest + 1
    }
}

/// Copies files into FileLib under their SHA-256, hashing while copying.
struct BlobStore {
    let library: ContentLibrary
    private var buffer = [UInt8](repeating: 0, count: 1 << 20)

    init(library: ContentLibrary) {
        self.library = library
    }

    struct Stored {
        let hash: String
        let size: UInt64
        let attributes: UInt32
        let timeModified: UInt64
    }

    mutating func store(from source: String) throws -> Stored {
        let input = try OpenFile(path: source)
        let st = try input.status()
        guard st.kind == .regular else { throw ContentLibraryError.unsupportedEntry(path: source, kind: kindName(st.kind)) }
        guard let time = FileTime.fromUnix(seconds: st.modified.seconds, nanoseconds: st.modified.nanoseconds) else {
            throw ContentLibraryError.conflict(path: source, reason: "modified before 1601, which a FILETIME cannot hold")
        }
        // Windows attributes: read-only when the owner cannot write it, else archive
        // (what a freshly copied file has on NTFS).
        let attributes: UInt32 = st.mode & 0o200 == 0 ? 0x01 : 0x20

        let temporary = FileSystem.temporaryName(beside: library.fileLib + "/incoming")
        var digest = SHA256()
        var size: UInt64 = 0
        do {
            let output = try OpenFile(path: temporary, mode: .write, create: true, exclusive: true)
            while true {
                let n = try buffer.withUnsafeMutableBytes { try input.read(into: $0, at: size) }
                if n == 0 { break }
                try buffer.withUnsafeBytes { raw in
                    let chunk = UnsafeRawBufferPointer(rebasing: raw[0..<n])
                    digest.update(bufferPointer: chunk)
                    try output.write(chunk, at: size)
                }
                size += UInt64(n)
            }
            let hash = Hex.upper(digest.finalize())
            let blobPath = library.blobPath(hash)
            // Looked up beneath the library: a linked FileLib/<4> folder or blob is
            // refused, naming it, never written through nor taken for the blob.
            let existing: FileStatus?
            do {
                existing = try OpenDirectory(path: library.fileLib, beneath: library.root)
                    .statusBeneath(LibraryNames.blobPath(under: "", hash: hash))
            } catch {
                throw ContentLibraryError.from(error, path: blobPath)
            }
            if let existing, existing.kind == .regular, existing.size == size {
                try FileSystem.remove(temporary)
            } else {
                // New, or a blob of the wrong size (damaged): the copy just made is known good.
                try FileSystem.createDirectory(library.fileLib + "/" + String(hash.prefix(4)))
                try FileSystem.rename(temporary, to: blobPath)
            }
            return Stored(hash: hash, size: size, attributes: attributes, timeModified: time)
        } catch {
            try? FileSystem.remove(temporary)
            throw error
        }
    }
}

extension String {
    func trimmingBlanks() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }),
              let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        return String(scalars[first...last])
    }
}
