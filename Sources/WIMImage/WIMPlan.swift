import MediaTree
import RegionMap

/// Everything the WIM needs, decided before any byte is emitted: the order of
/// the dentries, where each directory's child list goes in the metadata
/// resource, and the distinct contents with their SHA-1, size and reference count.
struct WIMPlan {
    /// One content stored once in the file's data area.
    struct Resource {
        let sha1: SHA1Digest
        let source: ByteSource
        let size: UInt64
        var referenceCount: UInt32
        /// Absolute offset in the WIM (set once every resource is known).
        var offset: UInt64 = 0
    }

    /// A directory and its children in the order its child list holds them.
    struct Directory {
        let node: MediaDirectory
        let children: [MediaNode]
        /// Offset of the child list from the start of the metadata resource.
        var childListOffset: UInt64 = 0
        /// Index in `directories` of each child that is a directory (nil for files).
        var childDirectory: [Int?] = []
        /// The SHA-1 of each child that is a file with content (nil for folders and empty files).
        var childSHA1: [SHA1Digest?] = []
    }

    /// Pre-order: the root first, then each child directory's subtree in child order
    /// (the order wimlib lays the child lists out).
    var directories: [Directory] = []
    var resources: [Resource] = []
    var fileCount = 0
    var totalFileBytes: UInt64 = 0
    /// Bytes of the metadata resource.
    var metadataSize: UInt64 = 0

    static let headerSize: UInt64 = 208
    /// The minimal security block: total length 8, no descriptors.
    static let securityBlockSize: UInt64 = 8
    /// Fixed part of a dentry, before the name.
    static let dentryFixedSize = 102

    /// `sha1` gives the SHA-1 of a library blob (nil when unknown: an error).
    init(tree: MediaTree, sha1 blobSHA1: (Blob) -> SHA1Digest?) throws(WIMImageError) {
        var byHash: [SHA1Digest: Int] = [:]

        // 1. Directories in pre-order, children sorted, contents deduplicated in that order.
        func visit(_ directory: MediaDirectory, path: String) throws(WIMImageError) -> Int {
            let children = WIMPlan.sorted(directory.children)
            let index = directories.count
            directories.append(Directory(node: directory, children: children))
            var childDirectory: [Int?] = []
            var childSHA1: [SHA1Digest?] = []
            childDirectory.reserveCapacity(children.count)
            childSHA1.reserveCapacity(children.count)
            // A child's path is made only for a message.
            func childPath(_ child: MediaNode) -> String { path.isEmpty ? child.name : path + "/" + child.name }
            for child in children {
                if let problem = WIMImage.nameProblem(child.name) { throw .badName(path: childPath(child), problem: problem) }
                switch child {
                case .file(let file):
                    fileCount += 1
                    totalFileBytes += file.size
                    childDirectory.append(nil)
                    guard file.size > 0 else { childSHA1.append(nil); continue }
                    let sha1: SHA1Digest
                    switch file.source {
                    case .blob(let blob):
                        guard let known = blobSHA1(blob) else { throw .missingSHA1(path: childPath(child), blob: blob.path) }
                        sha1 = known
                    case .bytes(let shared):
                        sha1 = SHA1Digest.of(shared.bytes)
                    }
                    childSHA1.append(sha1)
                    if let existing = byHash[sha1] {
                        resources[existing].referenceCount += 1
                    } else {
                        byHash[sha1] = resources.count
                        resources.append(Resource(sha1: sha1, source: file.source, size: file.size, referenceCount: 1))
                    }
                case .directory:
                    childDirectory.append(-1)  // filled in below, once the child has its index
                    childSHA1.append(nil)
                }
            }
            directories[index].childSHA1 = childSHA1
            for (i, child) in children.enumerated() {
                if case .directory(let d) = child {
                    childDirectory[i] = try visit(d, path: path.isEmpty ? d.name : path + "/" + d.name)
                }
            }
            directories[index].childDirectory = childDirectory
            return index
        }
        _ = try visit(tree.root, path: "")

        // 2. Child lists: after the security block, the root dentry and its 8-byte
        // terminator, each directory's run of dentries and a terminator, in pre-order.
        var cursor = WIMPlan.securityBlockSize + UInt64(WIMPlan.dentryLength(name: "")) + 8
        for i in directories.indices {
            directories[i].childListOffset = cursor
            for child in directories[i].children { cursor += UInt64(WIMPlan.dentryLength(name: child.name)) }
            cursor += 8
        }
        metadataSize = cursor

        // 3. File data right after the header, each content once.
        var offset = WIMPlan.headerSize
        for i in resources.indices {
            resources[i].offset = offset
            offset += resources[i].size
        }
    }

    /// Where the metadata resource starts: after the header and the data.
    var metadataOffset: UInt64 { resources.last.map { $0.offset + $0.size } ?? WIMPlan.headerSize }

    /// A dentry's length: the fixed part, the UTF-16LE name and its NUL (named
    /// dentries only), padded to a multiple of 8.
    static func dentryLength(name: String) -> Int {
        let nameBytes = name.utf16.count * 2
        let raw = dentryFixedSize + nameBytes + (nameBytes > 0 ? 2 : 0)
        return (raw + 7) & ~7
    }

    /// Siblings in the order wimlib writes them: NTFS-like collation, names
    /// compared by UTF-16 unit with a–z upper-cased, ties broken by the exact units.
    static func sorted(_ children: [MediaNode]) -> [MediaNode] {
        // The upper-cased units are computed once per child; the exact ones only for a tie.
        let keyed = children.map { child in (node: child, upper: child.name.utf16.map(upcase)) }
        return keyed.sorted { a, b in
            if a.upper != b.upper { return a.upper.lexicographicallyPrecedes(b.upper) }
            return a.node.name.utf16.lexicographicallyPrecedes(b.node.name.utf16)
        }.map { $0.node }
    }

    static func upcase(_ unit: UInt16) -> UInt16 {
        unit >= 0x61 && unit <= 0x7A ? unit - 0x20 : unit
    }
}
