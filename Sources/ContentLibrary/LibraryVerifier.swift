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

    public var isClean: Bool { missing.isEmpty && mismatched.isEmpty }
}

/// Re-hashes every blob in FileLib (streamed, 1 MiB at a time) and checks every
/// blob DataLib refers to (in every version of every package) is there.
struct LibraryVerifier {
    let library: ContentLibrary

    func run() throws -> LibraryVerifyReport {
        let snapshot = try library.snapshot()
        var users: [String: Set<String>] = [:]        // hash → content IDs (DataLib)
        var recordedSize: [String: UInt64] = [:]
        let reader = DataLibReader(root: library.root, checkBlobs: false)
        for packageID in snapshot.packageIDs {
            guard let index = snapshot.indexes[packageID] else { continue }
            for version in index.versions {
                let content = try reader.load(packageID: packageID, version: version, name: index.name, namedBy: index.path)
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
        for folder in try FileSystem.listDirectory(library.fileLib).map(\.name).sorted(by: utf8Precedes) {
            let folderPath = library.fileLib + "/" + folder
            guard !folder.hasPrefix("."), FileSystem.isDirectory(folderPath) else { continue }
            for name in try FileSystem.listDirectory(folderPath).map(\.name).sorted(by: utf8Precedes) {
                // Blobs are named by their hash; <HASH>.INI, <HASH>.SIG and temporaries are not blobs.
                guard let hash = LibraryNames.normalizedHash(name), hash == name else { continue }
                let blobPath = folderPath + "/" + name
                let file = try OpenFile(path: blobPath)
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
                let actual = upperHex(digest.finalize())
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
            missing.append(.init(blobPath: library.blobPath(hash), hash: hash,
                                 contentIDs: try contentIDs(hash, users: users), reason: "missing"))
        }
        return LibraryVerifyReport(blobsChecked: checked, bytesChecked: bytes, missing: missing, mismatched: mismatched)
    }

    private func contentIDs(_ hash: String, users: [String: Set<String>]) throws -> [String] {
        var ids = users[hash] ?? []
        let refPath = library.blobPath(hash) + ".INI"
        if try FileSystem.status(refPath) != nil {
            let ini = try INIFile(parsing: FileSystem.readFile(refPath), path: refPath)
            for entry in ini.section("Packages")?.entries ?? [] { ids.insert(entry.key) }
        }
        return ids.sorted(by: utf8Precedes)
    }
}
