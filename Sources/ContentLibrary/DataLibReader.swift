import SystemIO

/// Reads one content ID's tree under `DataLib/<ContentID>/`: real sub-folders,
/// and each file of the package as `<name>.INI` with `[File] Size= Hash=
/// Attributes= TimeModified=`. This is the hot path of loading a package (one
/// small file per package file), so it reads into one reused buffer, parses the
/// bytes in place and stats each blob once.
struct DataLibReader {
    let root: String
    /// Stat each blob and compare its size (off for `verify`, which reports missing blobs itself).
    let checkBlobs: Bool

    func load(packageID: String, version: Int, name: String?, namedBy indexPath: String) throws -> PackageContent {
        let contentID = LibraryNames.contentID(packageID, version: version)
        let folder = root + "/DataLib/" + contentID
        guard let st = try FileSystem.status(folder), st.kind == .directory else {
            throw ContentLibraryError.missingContent(path: folder, contentID: contentID, listedIn: indexPath)
        }
        // The content INI carries only a whole-content hash of unpublished algorithm
        // (mediafs writes its own, see PackageWriter); it must parse when present.
        let contentINI = folder + ".INI"
        if try FileSystem.status(contentINI) != nil {
            _ = try INIFile(parsing: FileSystem.readFile(contentINI), path: contentINI)
        }

        var walk = try Walk(root: root, checkBlobs: checkBlobs)
        try walk.visit(folder: folder, relative: "")
        var files = walk.files
        var folders = walk.folders
        files.sort { utf8Precedes($0.path, $1.path) }
        folders.sort(by: utf8Precedes)

        // Two INI files naming one package path ("a.INI" and "a.ini"), or a file and
        // a folder on one path ("a.INI" beside a folder "a"), cannot both be served.
        let folderSet = Set(folders)
        for i in files.indices {
            if i > 0 && files[i - 1].path == files[i].path {
                throw ContentLibraryError.conflict(path: folder + "/" + files[i].path,
                    reason: "two per-file INI files name this path")
            }
            if folderSet.contains(files[i].path) {
                throw ContentLibraryError.conflict(path: folder + "/" + files[i].path,
                    reason: "is both a file (\(files[i].path).INI) and a folder")
            }
        }
        return PackageContent(packageID: packageID, version: version, contentID: contentID,
                              name: name, files: files, folders: folders)
    }

    private struct Walk {
        let root: String
        let checkBlobs: Bool
        var files: [LibraryFile] = []
        var folders: [String] = []
        var blobSizes: [String: UInt64] = [:]
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        /// FileLib, open, to stat blobs as `<first 4>/<HASH>` inside it.
        let fileLib: OpenDirectory

        init(root: String, checkBlobs: Bool) throws {
            self.root = root
            self.checkBlobs = checkBlobs
            self.fileLib = try OpenDirectory(path: root + "/FileLib")
        }

        mutating func visit(folder: String, relative: String) throws {
            let directory = try OpenDirectory(path: folder)
            // Name order within each folder makes the final sort by full path nearly linear.
            for entry in try FileSystem.listDirectory(folder).sorted(by: { utf8Precedes($0.name, $1.name) }) {
                let path = folder + "/" + entry.name
                switch entry.kind {
                case .directory:
                    if let problem = LibraryNames.problem(with: entry.name) {
                        throw ContentLibraryError.invalidName(path: path, reason: problem)
                    }
                    let child = relative.isEmpty ? entry.name : relative + "/" + entry.name
                    folders.append(child)
                    try visit(folder: path, relative: child)
                case .regular:
                    guard hasINISuffix(entry.name) else {
                        throw ContentLibraryError.conflict(path: path,
                            reason: "a file in a DataLib package folder must be a per-file INI (<name>.INI)")
                    }
                    let name = String(decoding: entry.name.utf8.dropLast(4), as: UTF8.self)
                    if let problem = LibraryNames.problem(with: name) {
                        throw ContentLibraryError.invalidName(path: path, reason: problem)
                    }
                    try readFileINI(path, in: directory, name: entry.name, packagePath: relative.isEmpty ? name : relative + "/" + name)
                default:
                    throw ContentLibraryError.unsupportedEntry(path: path, kind: kindName(entry.kind))
                }
            }
        }

        private mutating func readFileINI(_ path: String, in directory: OpenDirectory, name: String, packagePath: String) throws {
            let count = try directory.readFile(name, into: &buffer)
            let ini = try buffer.withUnsafeBufferPointer {
                try INIFile(parsing: UnsafeBufferPointer(rebasing: $0[0..<count]), path: path)
            }
            guard let section = ini.section("File") else {
                throw ContentLibraryError.missingKey(path: path, section: "File", key: "Size")
            }
            func required(_ key: String) throws -> String {
                guard let value = section.value(key) else {
                    throw ContentLibraryError.missingKey(path: path, section: "File", key: key)
                }
                return value
            }
            let sizeText = try required("Size")
            guard let size = UInt64(sizeText) else {
                throw ContentLibraryError.invalidValue(path: path, key: "Size", value: sizeText, reason: "is not a byte count (decimal)")
            }
            let hashText = try required("Hash")
            guard let hash = LibraryNames.normalizedHash(hashText) else {
                throw ContentLibraryError.invalidValue(path: path, key: "Hash", value: hashText, reason: "is not a SHA-256 hash (64 hex digits)")
            }
            let attributesText = try required("Attributes")
            guard let attributes = parseHex32(attributesText) else {
                throw ContentLibraryError.invalidValue(path: path, key: "Attributes", value: attributesText, reason: "is not a hexadecimal number of at most 32 bits")
            }
            let timeText = try required("TimeModified")
            guard let time = UInt64(timeText) else {
                throw ContentLibraryError.invalidValue(path: path, key: "TimeModified", value: timeText, reason: "is not a FILETIME (decimal 100 ns ticks since 1601)")
            }
            let blobPath = root + "/" + LibraryNames.blobRelativePath(hash)
            if checkBlobs {
                let actual: UInt64
                if let known = blobSizes[hash] {
                    actual = known
                } else {
                    guard let st = try fileLib.status(hash.prefix(4) + "/" + hash), st.kind == .regular else {
                        throw ContentLibraryError.missingBlob(path: path, blobPath: blobPath)
                    }
                    actual = st.size
                    blobSizes[hash] = actual
                }
                guard actual == size else {
                    throw ContentLibraryError.sizeMismatch(path: path, blobPath: blobPath, recorded: size, actual: actual)
                }
            }
            files.append(LibraryFile(path: packagePath, size: size, hash: hash, attributes: attributes,
                                     timeModified: time, blobPath: blobPath))
        }
    }
}

/// `Attributes=` is hexadecimal, with or without a 0x prefix.
func parseHex32(_ text: String) -> UInt32? {
    var digits = Substring(text)
    if digits.hasPrefix("0x") || digits.hasPrefix("0X") { digits = digits.dropFirst(2) }
    guard !digits.isEmpty, digits.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x66) }) else { return nil }
    return UInt32(digits, radix: 16)
}
