import ContentLibrary
import MediaTree
import RegionMap

/// What a file serves and how to tell whether two builds' versions of a path
/// are the same bytes. A tree file keeps only its byte source; its one-region
/// layout is made when the file is opened (`layout`), not held per file.
/// A library blob (`<library>/FileLib/<first 4>/<HASH>`, the hash recorded)
/// is held as its SHA-256 in 32 bytes and the library's FileLib path, shared
/// by all its files; its `Blob` (path and hash as text, ~250 bytes in two
/// allocations) is made again when the file is opened: 12 MB less for a
/// mount of 100,000 files.
final class FileContent: Sendable {
    enum Source: Sendable {
        case blob(Blob)
        case bytes(SharedBytes)
        /// A whole-disk image: the same only within one build identity.
        case image(Layout, build: String)
    }

    private enum Storage: Sendable {
        case libraryBlob(LibraryBlobFolder, SHA256Digest)
        case source(Source)
    }

    private let storage: Storage
    let attributes: FileAttributes
    let size: UInt64

    init(_ source: Source, attributes: FileAttributes = [], folders: inout LibraryBlobFolders) {
        self.attributes = attributes
        switch source {
        case .blob(let b):
            size = b.size
            if let (folder, digest) = folders.compact(b) {
                storage = .libraryBlob(folder, digest)
            } else {
                storage = .source(source)
            }
        case .bytes(let s):
            size = UInt64(s.count)
            storage = .source(source)
        case .image(let layout, _):
            size = layout.size
            storage = .source(source)
        }
    }

    convenience init(_ source: Source, attributes: FileAttributes = []) {
        var folders = LibraryBlobFolders()
        self.init(source, attributes: attributes, folders: &folders)
    }

    var source: Source {
        switch storage {
        case .libraryBlob(let folder, let digest): return .blob(folder.blob(digest, size: size))
        case .source(let source): return source
        }
    }

    /// The layout every read goes through (RegionMap's read path, shared with the exporter).
    var layout: Layout {
        switch source {
        case .blob(let b): return .single(.blob(b, offset: 0), length: b.size)
        case .bytes(let s): return .single(.bytes(s, offset: 0), length: UInt64(s.count))
        case .image(let layout, _): return layout
        }
    }

    /// The blob a tree file is made of, checked when the file is opened.
    var blob: Blob? {
        if case .blob(let b) = source { return b }
        return nil
    }

    func sameBytes(as other: FileContent) -> Bool {
        guard size == other.size, attributes == other.attributes else { return false }
        if case .libraryBlob(let f1, let d1) = storage, case .libraryBlob(let f2, let d2) = other.storage {
            return d1 == d2 && (f1 === f2 || f1.path == f2.path)
        }
        switch (source, other.source) {
        case (.blob(let a), .blob(let b)): return a == b
        case (.bytes(let a), .bytes(let b)): return a === b || a.bytes == b.bytes
        case (.image(_, let a), .image(_, let b)): return a == b
        default: return false
        }
    }
}

/// The FileLib folder of a library: blobs are `<path>/<first 4>/<HASH>`.
final class LibraryBlobFolder: Sendable {
    let path: String
    /// The library root the blobs are opened beneath (`Blob.library`).
    let library: String?
    init(path: String, library: String?) {
        self.path = path
        self.library = library
    }

    func blob(_ digest: SHA256Digest, size: UInt64) -> Blob {
        Blob(path: LibraryNames.blobPath(under: path, digest), size: size, sha256: digest.upperHex, library: library)
    }
}

/// The FileLib folders met while building a view, so each is held once.
struct LibraryBlobFolders {
    private var last: LibraryBlobFolder?

    /// A blob at `<folder>/<first 4>/<HASH>` with its hash recorded → (folder, digest);
    /// nil for any other blob (a plain file, a test's), which is kept as it is.
    /// `LibraryBlobFolder.blob` makes the same path and hash again, byte for byte.
    mutating func compact(_ blob: Blob) -> (LibraryBlobFolder, SHA256Digest)? {
        guard var hash = blob.sha256, let digest = SHA256Digest(hex: hash) else { return nil }
        var path = blob.path
        let lastPath = last?.path
        let match: (folderLength: Int, isLast: Bool)? = path.withUTF8 { p in
            hash.withUTF8 { h in
                // Upper case only: the text must come back the same from the digest.
                guard SHA256Digest.isUpperCase(h) else { return nil }
                let suffixLength = 1 + 4 + 1 + h.count
                guard p.count > suffixLength else { return nil }
                let base = p.count - suffixLength
                guard p[base] == UInt8(ascii: "/"), p[base + 5] == UInt8(ascii: "/"),
                      p[(base + 1)..<(base + 5)].elementsEqual(h[0..<4]),
                      p[(base + 6)...].elementsEqual(h) else { return nil }
                guard var lastPath else { return (base, false) }
                let isLast = lastPath.withUTF8 { l in l.count == base && l.elementsEqual(p[..<base]) }
                return (base, isLast)
            }
        }
        guard let match else { return nil }
        if match.isLast, let last, last.library == blob.library { return (last, digest) }
        let folder = LibraryBlobFolder(path: String(decoding: blob.path.utf8.prefix(match.folderLength), as: UTF8.self),
                                       library: blob.library)
        last = folder
        return (folder, digest)
    }
}

/// A folder's entries, sorted by the UTF-8 bytes of their names (as MediaDirectory is).
final class DirectoryListing: Sendable {
    let names: [String]
    let inodes: [UInt64]
    let subdirectoryCount: Int

    init(names: [String], inodes: [UInt64], subdirectoryCount: Int) {
        self.names = names
        self.inodes = inodes
        self.subdirectoryCount = subdirectoryCount
    }

    /// The entry named exactly `name` (the same bytes: the kernel hands names as bytes).
    func inode(named name: String) -> UInt64? {
        var low = 0, high = names.count
        while low < high {
            let mid = (low + high) / 2
            if utf8Precedes(names[mid], name) {
                low = mid + 1
            } else {
                high = mid
            }
        }
        guard low < names.count, !utf8Precedes(name, names[low]) else { return nil }
        return inodes[low]
    }

    func sameEntries(as other: DirectoryListing) -> Bool {
        names == other.names && inodes == other.inodes
    }
}

/// One inode as the kernel sees it.
struct Node: Sendable {
    enum Kind: Sendable {
        case directory(DirectoryListing)
        case file(FileContent)
    }

    let inode: UInt64
    let parent: UInt64
    let name: String
    let modified: Timestamp
    let kind: Kind
}

/// Everything one build shows, by inode. Immutable; built by `ViewBuilder`.
final class View: Sendable {
    static let rootInode: UInt64 = 1

    let identity: String
    let nodes: NodeMap
    let fileCount: UInt64
    let totalBytes: UInt64

    init(identity: String, nodes: NodeMap, fileCount: UInt64, totalBytes: UInt64) {
        self.identity = identity
        self.nodes = nodes
        self.fileCount = fileCount
        self.totalBytes = totalBytes
    }

    static let empty = View(identity: "", nodes: .empty, fileCount: 0, totalBytes: 0)

    /// The listing of the folder `inode`, if it is one in this view.
    func listing(of inode: UInt64?) -> DirectoryListing? {
        guard let inode, let node = nodes[inode], case .directory(let listing) = node.kind else { return nil }
        return listing
    }
}

/// A view's nodes by inode: one array sorted by inode, searched by halves,
/// or indexed directly where the numbers run without a gap (a first build
/// numbers its nodes 1, 2, 3…). A dictionary of 100,000 nodes reserved
/// 262,144 buckets: 16 MB of the daemon's memory, against 6 MB here.
struct NodeMap: Sequence, Sendable {
    private let nodes: [Node]

    /// `nodes` sorted by inode, each inode once.
    init(sortedByInode nodes: [Node]) {
        self.nodes = nodes
    }

    static let empty = NodeMap(sortedByInode: [])

    var count: Int { nodes.count }

    subscript(inode: UInt64) -> Node? {
        guard let first = nodes.first?.inode, inode >= first else { return nil }
        if inode - first < UInt64(nodes.count) {
            let direct = nodes[Int(inode - first)]
            if direct.inode == inode { return direct }
        }
        var low = 0, high = nodes.count
        while low < high {
            let mid = (low + high) / 2
            if nodes[mid].inode < inode { low = mid + 1 } else { high = mid }
        }
        return low < nodes.count && nodes[low].inode == inode ? nodes[low] : nil
    }

    struct Iterator: IteratorProtocol {
        var base: IndexingIterator<[Node]>
        mutating func next() -> (UInt64, Node)? {
            base.next().map { ($0.inode, $0) }
        }
    }

    /// (inode, node) pairs in inode order.
    func makeIterator() -> Iterator { Iterator(base: nodes.makeIterator()) }
}

/// Numbers a build's nodes. Inode numbers are stable per path across builds
/// while the path holds the same thing (a folder, or a file with the same
/// bytes); a file whose bytes change gets a NEW inode, as a file replaced by
/// rename does on a disk filesystem. That keeps the kernel's page cache and
/// attributes of an open old version apart from the new one, so a reader
/// keeps the old size and bytes to its last byte. Numbers are never reused.
/// The previous build is matched by walking its folders alongside the new
/// tree's (a name looked up in the same folder's old listing), so no table of
/// full paths is kept: it cost ~100 bytes and a hash per file.
struct ViewBuilder {
    private var nextInode: UInt64

    init() { nextInode = View.rootInode + 1 }

    mutating func build(_ build: MountBuild, kind: MountViewKind, previous: View) -> View {
        var nodes: [Node] = []
        var blobFolders = LibraryBlobFolders()
        var fileCount: UInt64 = 0
        var totalBytes: UInt64 = 0

        /// The inode for `name` in a folder whose previous listing is `before`.
        func number(_ name: String, in before: DirectoryListing?, _ content: FileContent?) -> UInt64 {
            if let old = before?.inode(named: name), let oldNode = previous.nodes[old] {
                switch (oldNode.kind, content) {
                case (.directory, nil): return old
                case (.file(let then), .some(let now)) where then.sameBytes(as: now): return old
                default: break
                }
            }
            defer { nextInode += 1 }
            return nextInode
        }

        func addFile(_ name: String, in before: DirectoryListing?, parent: UInt64, modified: Timestamp, content: FileContent) -> UInt64 {
            let inode = number(name, in: before, content)
            nodes.append(Node(inode: inode, parent: parent, name: name, modified: modified, kind: .file(content)))
            fileCount += 1
            totalBytes += content.size
            return inode
        }

        func addDirectory(_ directory: MediaDirectory, inode: UInt64, parent: UInt64, before: DirectoryListing?) {
            var names: [String] = []
            var inodes: [UInt64] = []
            var subdirectories = 0
            names.reserveCapacity(directory.children.count)
            inodes.reserveCapacity(directory.children.count)
            for child in directory.children {
                let childInode: UInt64
                switch child {
                case .file(let f):
                    let source: FileContent.Source
                    switch f.source {
                    case .blob(let b): source = .blob(b)
                    case .bytes(let s): source = .bytes(s)
                    }
                    childInode = addFile(f.name, in: before, parent: inode, modified: f.modified,
                                         content: FileContent(source, attributes: f.attributes, folders: &blobFolders))
                case .directory(let d):
                    childInode = number(d.name, in: before, nil)
                    addDirectory(d, inode: childInode, parent: inode, before: previous.listing(of: before?.inode(named: d.name)))
                    subdirectories += 1
                }
                names.append(child.name)
                inodes.append(childInode)
            }
            let listing = DirectoryListing(names: names, inodes: inodes, subdirectoryCount: subdirectories)
            nodes.append(Node(inode: inode, parent: parent, name: directory.name, modified: directory.modified,
                              kind: .directory(listing)))
        }

        let rootBefore = previous.listing(of: View.rootInode)
        switch kind {
        case .tree:
            // Every node once, in one allocation of the right size (it is most of the view's memory).
            func count(_ directory: MediaDirectory) -> Int {
                directory.children.reduce(1) { total, child in
                    if case .directory(let d) = child { return total + count(d) }
                    return total + 1
                }
            }
            nodes.reserveCapacity(count(build.tree.root))
            addDirectory(build.tree.root, inode: View.rootInode, parent: View.rootInode, before: rootBefore)
        case .images:
            // The images carry the tree's newest time: reproducible, and it moves when the media does.
            var newest = build.tree.root.modified
            build.tree.forEachNode { _, node in if node.modified > newest { newest = node.modified } }
            let sorted = build.images.sorted { utf8Precedes($0.name, $1.name) }
            var names: [String] = []
            var inodes: [UInt64] = []
            for image in sorted {
                let content = FileContent(.image(image.layout, build: build.identity))
                inodes.append(addFile(image.name, in: rootBefore, parent: View.rootInode, modified: newest, content: content))
                names.append(image.name)
            }
            let listing = DirectoryListing(names: names, inodes: inodes, subdirectoryCount: 0)
            nodes.append(Node(inode: View.rootInode, parent: View.rootInode, name: "", modified: newest,
                              kind: .directory(listing)))
        }
        nodes.sort { $0.inode < $1.inode }
        return View(identity: build.identity, nodes: NodeMap(sortedByInode: nodes), fileCount: fileCount, totalBytes: totalBytes)
    }
}
