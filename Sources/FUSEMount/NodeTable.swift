import MediaTree
import RegionMap

/// What a file serves and how to tell whether two builds' versions of a path
/// are the same bytes. A tree file keeps only its byte source (a blob or
/// shared bytes); its one-region layout is made when the file is opened
/// (`layout`), not held per file: with 100,000 files that is two objects
/// fewer per file for the life of the mount.
final class FileContent: Sendable {
    enum Source: Sendable {
        case blob(Blob)
        case bytes(SharedBytes)
        /// A whole-disk image: the same only within one build identity.
        case image(Layout, build: String)
    }

    let source: Source
    let attributes: FileAttributes
    let size: UInt64

    init(_ source: Source, attributes: FileAttributes = []) {
        self.source = source
        self.attributes = attributes
        switch source {
        case .blob(let b): size = b.size
        case .bytes(let s): size = UInt64(s.count)
        case .image(let layout, _): size = layout.size
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
        switch (source, other.source) {
        case (.blob(let a), .blob(let b)): return a == b
        case (.bytes(let a), .bytes(let b)): return a === b || a.bytes == b.bytes
        case (.image(_, let a), .image(_, let b)): return a == b
        default: return false
        }
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

    func inode(named name: String) -> UInt64? {
        var low = 0, high = names.count
        while low < high {
            let mid = (low + high) / 2
            if names[mid] == name { return inodes[mid] }
            if names[mid].utf8.lexicographicallyPrecedes(name.utf8) { low = mid + 1 } else { high = mid }
        }
        return nil
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
    let nodes: [UInt64: Node]
    let fileCount: UInt64
    let totalBytes: UInt64

    init(identity: String, nodes: [UInt64: Node], fileCount: UInt64, totalBytes: UInt64) {
        self.identity = identity
        self.nodes = nodes
        self.fileCount = fileCount
        self.totalBytes = totalBytes
    }

    static let empty = View(identity: "", nodes: [:], fileCount: 0, totalBytes: 0)

    /// The listing of the folder `inode`, if it is one in this view.
    func listing(of inode: UInt64?) -> DirectoryListing? {
        guard let inode, let node = nodes[inode], case .directory(let listing) = node.kind else { return nil }
        return listing
    }
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
        var nodes: [UInt64: Node] = [:]
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
            nodes[inode] = Node(inode: inode, parent: parent, name: name, modified: modified, kind: .file(content))
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
                                         content: FileContent(source, attributes: f.attributes))
                case .directory(let d):
                    childInode = number(d.name, in: before, nil)
                    addDirectory(d, inode: childInode, parent: inode, before: previous.listing(of: before?.inode(named: d.name)))
                    subdirectories += 1
                }
                names.append(child.name)
                inodes.append(childInode)
            }
            let listing = DirectoryListing(names: names, inodes: inodes, subdirectoryCount: subdirectories)
            nodes[inode] = Node(inode: inode, parent: parent, name: directory.name, modified: directory.modified,
                                kind: .directory(listing))
        }

        let rootBefore = previous.listing(of: View.rootInode)
        switch kind {
        case .tree:
            addDirectory(build.tree.root, inode: View.rootInode, parent: View.rootInode, before: rootBefore)
        case .images:
            // The images carry the tree's newest time: reproducible, and it moves when the media does.
            var newest = build.tree.root.modified
            build.tree.forEachNode { _, node in if node.modified > newest { newest = node.modified } }
            let sorted = build.images.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
            var names: [String] = []
            var inodes: [UInt64] = []
            for image in sorted {
                let content = FileContent(.image(image.layout, build: build.identity))
                inodes.append(addFile(image.name, in: rootBefore, parent: View.rootInode, modified: newest, content: content))
                names.append(image.name)
            }
            let listing = DirectoryListing(names: names, inodes: inodes, subdirectoryCount: 0)
            nodes[View.rootInode] = Node(inode: View.rootInode, parent: View.rootInode, name: "", modified: newest,
                                         kind: .directory(listing))
        }
        return View(identity: build.identity, nodes: nodes, fileCount: fileCount, totalBytes: totalBytes)
    }
}
