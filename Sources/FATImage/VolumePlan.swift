import MediaTree
import RegionMap

/// A media tree as FAT sees it, before any cluster is chosen: every folder with
/// its entries (short names assigned, long names where needed) and every file,
/// in the order they are laid out. Everything here depends on names and sizes
/// only, so the cluster size can be chosen afterwards from what is needed.
/// All the refusals (files ≥ 4 GiB, bad names, folders too large) happen here,
/// before a byte is produced.
struct VolumePlan {
    enum Target {
        case file(Int)        // index into `files`
        case directory(Int)   // index into `directories`
    }

    struct Entry {
        let shortName: ShortName.Bytes
        /// UTF-16 of the name when the short name does not carry it.
        let longName: [UInt16]?
        let target: Target
        let attributes: UInt8
        let modified: Timestamp
        let size: UInt32

        var slotCount: Int { 1 + (longName.map { DirectoryEncoder.longNameSlots($0.count) } ?? 0) }
    }

    struct Directory {
        /// `a/b` ("" for the root), for error messages.
        let path: String
        let modified: Timestamp
        /// Index of the parent folder; nil for the root.
        let parent: Int?
        var entries: [Entry] = []
        /// 32-byte entries: the label (root) or `.` and `..`, long names, short entries.
        var slotCount = 0
    }

    struct File {
        let path: String
        let source: ByteSource
    }

    /// Pre-order: the root first, each folder before the folders inside it.
    private(set) var directories: [Directory] = []
    /// In tree order (depth first, as `MediaTree.forEachFile`).
    private(set) var files: [File] = []
    /// The 11-byte volume label, nil when the media label leaves none.
    let label: ShortName.Bytes?
    /// Bytes of all files.
    private(set) var contentBytes: UInt64 = 0

    /// FAT's limit on a file: its size field has 32 bits.
    static let largestFile: UInt64 = 0xFFFF_FFFF
    /// A folder holds at most 65,536 entries (2 MiB); readers stop there.
    static let largestDirectory = 65536

    init(tree: MediaTree, label mediaLabel: String) throws(FATImageError) {
        label = ShortName.volumeLabel(mediaLabel)
        directories.append(Directory(path: "", modified: tree.root.modified, parent: nil))
        try add(tree.root, index: 0)
    }

    private mutating func add(_ folder: MediaDirectory, index: Int) throws(FATImageError) {
        let prefix = directories[index].path.isEmpty ? "" : directories[index].path + "/"
        var folded: [String: String] = [:]
        for child in folder.children {
            // FAT's own rules: the tree holds any name some target can.
            if let problem = NameRules.fat.problem(with: child.name) { throw .badName(path: prefix + child.name, problem: problem) }
            let key = NameRules.caseFolded(child.name)
            if let other = folded[key] { throw .caseCollision(first: prefix + other, second: prefix + child.name) }
            folded[key] = child.name
        }
        let shortNames = ShortName.assign(folder.children.map(\.name))
        var entries: [Entry] = []
        entries.reserveCapacity(folder.children.count)
        for (child, short) in zip(folder.children, shortNames) {
            let path = prefix + child.name
            let longName = short.needsLongName ? Array(child.name.utf16) : nil
            switch child {
            case .file(let file):
                guard file.size <= Self.largestFile else { throw .fileTooLarge(path: path, size: file.size) }
                files.append(File(path: path, source: file.source))
                contentBytes += file.size
                entries.append(Entry(shortName: short.bytes, longName: longName, target: .file(files.count - 1),
                                     attributes: EntryAttribute.of(file.attributes), modified: file.modified,
                                     size: UInt32(file.size)))
            case .directory(let subfolder):
                directories.append(Directory(path: path, modified: subfolder.modified, parent: index))
                let childIndex = directories.count - 1
                entries.append(Entry(shortName: short.bytes, longName: longName, target: .directory(childIndex),
                                     attributes: EntryAttribute.directory, modified: subfolder.modified, size: 0))
                try add(subfolder, index: childIndex)
            }
        }
        let own = index == 0 ? (label == nil ? 0 : 1) : 2
        let slots = entries.reduce(own) { $0 + $1.slotCount }
        guard slots <= Self.largestDirectory else { throw .directoryTooLarge(path: directories[index].path, entries: slots) }
        directories[index].entries = entries
        directories[index].slotCount = slots
    }

    /// Clusters of `bytes` (at least one when `atLeastOne`).
    static func clusters(_ bytes: UInt64, of clusterBytes: UInt64, atLeastOne: Bool = false) -> UInt64 {
        max(atLeastOne ? 1 : 0, (bytes + clusterBytes - 1) / clusterBytes)
    }

    /// Data clusters the folders and files take with `bytesPerCluster`; the root
    /// counts only when it lives in clusters (FAT32).
    func clustersNeeded(bytesPerCluster: UInt64, rootInClusters: Bool) -> UInt64 {
        var total: UInt64 = 0
        for (index, directory) in directories.enumerated() where index > 0 || rootInClusters {
            total += Self.clusters(UInt64(directory.slotCount) * 32, of: bytesPerCluster, atLeastOne: true)
        }
        for file in files { total += Self.clusters(file.source.size, of: bytesPerCluster) }
        return total
    }
}
