import MediaTree
import RegionMap

/// What a file serves: the layout every read goes through (a tree file is a
/// one-region layout, an image a whole-disk one) and how to tell whether two
/// builds' versions of a path are the same bytes.
final class FileContent: Sendable {
    enum Identity: Sendable {
        case blob(Blob)
        case bytes(SharedBytes)
        /// An image is the same only within one build identity.
        case image(build: String)
    }

    let layout: Layout
    let identity: Identity
    let attributes: FileAttributes

    init(layout: Layout, identity: Identity, attributes: FileAttributes = []) {
        self.layout = layout
        self.identity = identity
        self.attributes = attributes
    }

    var size: UInt64 { layout.size }

    /// The blob a tree file is made of, checked when the file is opened.
    var blob: Blob? {
        if case .blob(let b) = identity { return b }
        return nil
    }

    func sameBytes(as other: FileContent) -> Bool {
        guard size == other.size, attributes == other.attributes else { return false }
        switch (identity, other.identity) {
        case (.blob(let a), .blob(let b)): return a == b
        case (.bytes(let a), .bytes(let b)): return a === b || a.bytes == b.bytes
        case (.image(let a), .image(let b)): return a == b
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
    /// Path ("" for the root) → inode, to number the next build's nodes.
    let paths: [String: UInt64]
    let fileCount: UInt64
    let totalBytes: UInt64

    init(identity: String, nodes: [UInt64: Node], paths: [String: UInt64], fileCount: UInt64, totalBytes: UInt64) {
        self.identity = identity
        self.nodes = nodes
        self.paths = paths
        self.fileCount = fileCount
        self.totalBytes = totalBytes
    }

    static let empty = View(identity: "", nodes: [:], paths: [:], fileCount: 0, totalBytes: 0)
}

/// Numbers a build's nodes. Inode numbers are stable per path across builds
/// while the path holds the same thing (a folder, or a file with the same
/// bytes); a file whose bytes change gets a NEW inode, as a file replaced by
/// rename does on a disk filesystem. That keeps the kernel's page cache and
/// attributes of an open old version apart from the new one, so a reader
/// keeps the old size and bytes to its last byte. Numbers are never reused.
struct ViewBuilder {
    private var nextInode: UInt64

    init() { nextInode = View.rootInode + 1 }

    mutating func build(_ build: MountBuild, kind: MountViewKind, previous: View) -> View {
        var nodes: [UInt64: Node] = [:]
        var paths: [String: UInt64] = ["": View.rootInode]
        var fileCount: UInt64 = 0
        var totalBytes: UInt64 = 0

        func number(_ path: String, _ content: FileContent?) -> UInt64 {
            if let old = previous.paths[path], let oldNode = previous.nodes[old] {
                switch (oldNode.kind, content) {
                case (.directory, nil): return old
                case (.file(let before), .some(let now)) where before.sameBytes(as: now): return old
                default: break
                }
            }
            defer { nextInode += 1 }
            return nextInode
        }

        func addFile(_ name: String, path: String, parent: UInt64, modified: Timestamp, content: FileContent) -> UInt64 {
            let inode = number(path, content)
            nodes[inode] = Node(inode: inode, parent: parent, name: name, modified: modified, kind: .file(content))
            paths[path] = inode
            fileCount += 1
            totalBytes += content.size
            return inode
        }

        func addDirectory(_ directory: MediaDirectory, path: String, inode: UInt64, parent: UInt64) {
            var names: [String] = []
            var inodes: [UInt64] = []
            var subdirectories = 0
            names.reserveCapacity(directory.children.count)
            inodes.reserveCapacity(directory.children.count)
            for child in directory.children {
                let childPath = path.isEmpty ? child.name : path + "/" + child.name
                let childInode: UInt64
                switch child {
                case .file(let f):
                    let identity: FileContent.Identity
                    switch f.source {
                    case .blob(let b): identity = .blob(b)
                    case .bytes(let s): identity = .bytes(s)
                    }
                    let content = FileContent(layout: f.source.layout, identity: identity, attributes: f.attributes)
                    childInode = addFile(f.name, path: childPath, parent: inode, modified: f.modified, content: content)
                case .directory(let d):
                    childInode = number(childPath, nil)
                    paths[childPath] = childInode
                    addDirectory(d, path: childPath, inode: childInode, parent: inode)
                    subdirectories += 1
                }
                names.append(child.name)
                inodes.append(childInode)
            }
            let listing = DirectoryListing(names: names, inodes: inodes, subdirectoryCount: subdirectories)
            nodes[inode] = Node(inode: inode, parent: parent, name: directory.name, modified: directory.modified,
                                kind: .directory(listing))
        }

        switch kind {
        case .tree:
            addDirectory(build.tree.root, path: "", inode: View.rootInode, parent: View.rootInode)
        case .images:
            // The images carry the tree's newest time: reproducible, and it moves when the media does.
            var newest = build.tree.root.modified
            build.tree.forEachNode { _, node in if node.modified > newest { newest = node.modified } }
            let sorted = build.images.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
            var names: [String] = []
            var inodes: [UInt64] = []
            for image in sorted {
                let content = FileContent(layout: image.layout, identity: .image(build: build.identity))
                inodes.append(addFile(image.name, path: image.name, parent: View.rootInode, modified: newest, content: content))
                names.append(image.name)
            }
            let listing = DirectoryListing(names: names, inodes: inodes, subdirectoryCount: 0)
            nodes[View.rootInode] = Node(inode: View.rootInode, parent: View.rootInode, name: "", modified: newest,
                                         kind: .directory(listing))
        }
        return View(identity: build.identity, nodes: nodes, paths: paths, fileCount: fileCount, totalBytes: totalBytes)
    }
}
