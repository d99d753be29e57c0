import Crypto
import SystemIO

/// What `verify` found: blobs that are referenced but absent, and blobs whose
/// bytes do not hash to their name (or do not have the size DataLib records).
public struct LibraryVerifyReport: Sendable {
    public struct BlobProblem: Sendable, Equatable {
        /// Absolute path of the blob.
        public let blobPath: String
        public let hash: String
        /// Content IDs that use it: those whose DataLib names it, and those its `<HASH>.INI` lists.
        public let contentIDs: [String]
        /// What is wrong, in words ("missing", "SHA-256 is 3F…", …).
        public let reason: String
    }

    public let blobsChecked: Int
    public let bytesChecked: UInt64
    public let missing: [BlobProblem]
    public let mismatched: [BlobProblem]
    /// Blobs that cannot be read: refused because they lead outside the library
    /// (a link, a linked FileLib folder), not regular files, or unreadable.
    public let refused: [BlobProblem]
    /// Packages (PkgLib entries) and versions (DataLib entries) that cannot be
    /// read, each naming the file at fault.
    public let brokenPackages: [LibrarySnapshot.BrokenPackage]

    public var isClean: Bool { missing.isEmpty && mismatched.isEmpty && refused.isEmpty && brokenPackages.isEmpty }
}

/// Re-hashes every blob in FileLib (streamed, 1 MiB at a time) and checks every
/// blob DataLib refers to (in every version of every package) is there. Every
/// file is opened beneath the library root (`OpenFile(path:beneath:)`): a
/// link is listed as a problem, never followed.
struct LibraryVerifier {
    let library: ContentLibrary

    func run() throws -> LibraryVerifyReport {
        let snapshot = try library.snapshot()
        var users: [String: Set<String>] = [:]        // hash → content IDs (DataLib)
        var recordedSize: [String: UInt64] = [:]
        let reader = DataLibReader(root: library.root, checkBlobs: false)
        var broken = snapshot.brokenPackages
        for packageID in snapshot.packageIDs {
            guard let index = snapshot.indexes[packageID] else { continue }
            for version in index.versions {
                let content: PackageContent
                do {
                    content = try reader.load(packageID: packageID, version: version, name: index.name, namedBy: index.path)
                } catch {
                    let contentID = LibraryNames.contentID(packageID, version: version)
                    broken.append(.init(reference: contentID, error: .from(error, path: library.dataLib + "/" + contentID)))
                    continue
                }
                for file in content.files {
                    users[file.hash, default: []].insert(content.contentID)
                    recordedSize[file.hash] = file.size
                }
            }
        }

        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var checked = 0
        var bytes: UInt64 = 0
        var seen = Set<String>()
        var mismatched: [LibraryVerifyReport.BlobProblem] = []
        var refused: [LibraryVerifyReport.BlobProblem] = []
        let fileLib = try OpenDirectory(path: library.fileLib, beneath: library.root)
        for folderEntry in try fileLib.list().sorted(by: { utf8Precedes($0.name, $1.name) }) {
            let folder = folderEntry.name
            // A link in FileLib's place of a folder is not followed: the blobs
            // DataLib names under it are listed as refused below.
            guard !folder.hasPrefix("."), folderEntry.kind == .directory else { continue }
            let folderPath = library.fileLib + "/" + folder
            let blobFolder = try fileLib.openDirectory(folder)
            for entry in try blobFolder.list().sorted(by: { utf8Precedes($0.name, $1.name) }) {
                let name = entry.name
                // Blobs are named by their hash; <HASH>.INI, <HASH>.SIG and temporaries are not blobs.
                guard let hash = LibraryNames.normalizedHash(name), hash == name else { continue }
                let blobPath = folderPath + "/" + name
                let file: OpenFile
                do { file = try blobFolder.openFile(name) } catch {
                    if folder == String(hash.prefix(4)) { seen.insert(hash) }
                    refused.append(.init(blobPath: blobPath, hash: hash, contentIDs: try contentIDs(hash, users: users),
                                         reason: ContentLibraryError.from(error, path: blobPath).reason))
                    continue
                }
                var digest = SHA256()
                var size: UInt64 = 0
                while true {
                    let n = try buffer.withUnsafeMutableBytes { try file.read(into: $0, at: size) }
                    if n == 0 { break }
                    buffer.withUnsafeBytes { digest.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                    size += UInt64(n)
                }
                checked += 1
                bytes += size
                let actual = Hex.upper(digest.finalize())
                var reason: String? = nil
                if actual != hash {
                    reason = "its SHA-256 is \(actual)"
                } else if folder != String(hash.prefix(4)) {
                    reason = "it is in FileLib/\(folder), not FileLib/\(hash.prefix(4))"
                } else if let recorded = recordedSize[hash], recorded != size {
                    reason = "it holds \(size) bytes; DataLib records \(recorded)"
                }
                if folder == String(hash.prefix(4)) { seen.insert(hash) }
                if let reason {
                    mismatched.append(.init(blobPath: blobPath, hash: hash,
                                            contentIDs: try contentIDs(hash, users: users), reason: reason))
                }
            }
        }
        var missing: [LibraryVerifyReport.BlobProblem] = []
        for hash in users.keys.sorted() where !seen.contains(hash) {
            let blobPath = library.blobPath(hash)
            let problem = LibraryVerifyReport.BlobProblem(blobPath: blobPath, hash: hash, contentIDs: try contentIDs(hash, users: users), reason: "missing")
            // Not listed as a blob: absent, or behind a link (a linked FileLib/<4> folder).
            do {
                _ = try OpenFile(path: blobPath, beneath: library.root)
                missing.append(problem)
            } catch let error as SystemError where error.isNotFound {
                missing.append(problem)
            } catch {
                refused.append(.init(blobPath: blobPath, hash: hash, contentIDs: problem.contentIDs,
                                     reason: ContentLibraryError.from(error, path: blobPath).reason))
            }
        }
        return LibraryVerifyReport(blobsChecked: checked, bytesChecked: bytes, missing: missing, mismatched: mismatched,
                                   refused: refused, brokenPackages: broken.sorted { utf8Precedes($0.reference, $1.reference) })
    }

    private func contentIDs(_ hash: String, users: [String: Set<String>]) throws -> [String] {
        var ids = users[hash] ?? []
        let refPath = library.blobPath(hash) + ".INI"
        // The reference list is a hint for the report: one that cannot be read or parsed is left out.
        if let bytes = try? OpenFile(path: refPath, beneath: library.root).readAll(),
           let ini = try? INIFile(parsing: bytes, path: refPath) {
            for entry in ini.section("Packages")?.entries ?? [] { ids.insert(entry.key) }
        }
        return ids.sorted(by: utf8Precedes)
    }
}
