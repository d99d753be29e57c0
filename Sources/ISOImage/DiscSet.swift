import MediaTree

/// Splits a tree over discs of a given capacity. The first disc takes the
/// boot files, `SMS/data` and the other `firstDiscPaths` first, and the
/// tree's empty folders. Then the other files, largest first (ties in the
/// tree's order), each go on the first disc that still has room for it, a new
/// disc when none has ("first fit decreasing": within 22% of the fewest
/// discs possible, where filling discs in tree order leaves most of a disc
/// empty beside each OS image). Each disc lists its files in tree order. A
/// file is never split.
///
/// Fitting uses an upper bound of each disc's size (`DiscBudget`), so a disc
/// never comes out over its capacity; the exact layout is checked afterwards.
enum DiscSet {
    static func assign(_ tree: MediaTree, boot: BootSetup, capacity: UInt64) throws(ISOImageError) -> [Set<String>] {
        var pinned: [(String, MediaFile)] = []
        var others: [(String, MediaFile)] = []
        let firstDisc = boot.firstDiscPaths.map(NameRules.caseFolded)
        tree.forEachFile { path, file in
            let folded = NameRules.caseFolded(path)
            if firstDisc.contains(where: { folded == $0 || folded.hasPrefix($0 + "/") }) {
                pinned.append((path, file))
            } else {
                others.append((path, file))
            }
        }

        let fixed = DiscBudget.fixedSectors
        var discs: [Set<String>] = [[]]
        var budget = DiscBudget(sectors: fixed + boot.extraSectors)
        // The tree's empty folders live on the first disc.
        tree.forEachNode { path, node in
            if case .directory(let d) = node, !hasFiles(d) { budget.addFolders(of: path + "/x") }
        }
        for (path, file) in pinned {
            try checkAlone(path, file, capacity: capacity)
            budget.add(path, file)
            discs[0].insert(path)
        }
        guard budget.bytes <= capacity else { throw .firstDiscTooSmall(needed: budget.bytes, capacity: capacity) }

        var budgets = [budget]
        let largestFirst = others.enumerated().sorted {
            ($0.element.1.size, $1.offset) > ($1.element.1.size, $0.offset)
        }.map(\.element)
        for (path, file) in largestFirst {
            try checkAlone(path, file, capacity: capacity)
            var target = budgets.firstIndex { $0.bytes(adding: path, file) <= capacity }
            if target == nil {
                discs.append([])
                budgets.append(DiscBudget(sectors: fixed))
                target = budgets.count - 1
            }
            let index = target ?? 0
            budgets[index].add(path, file)
            discs[index].insert(path)
        }
        return discs
    }

    /// A file that would not fit even on an empty disc is an error naming it.
    private static func checkAlone(_ path: String, _ file: MediaFile, capacity: UInt64) throws(ISOImageError) {
        if DiscBudget(sectors: DiscBudget.fixedSectors).bytes(adding: path, file) > capacity {
            throw .fileLargerThanDisc(path: path, size: file.size, capacity: capacity)
        }
    }

    private static func hasFiles(_ directory: MediaDirectory) -> Bool {
        directory.children.contains { child in
            switch child {
            case .file: return true
            case .directory(let d): return hasFiles(d)
            }
        }
    }
}

/// An upper bound of a disc's size while files are added to it.
///
/// Directory records never cross a sector, so a sector of records wastes less
/// than one record (255 bytes): record bytes × 8/7 (= 2048/1792) bounds the
/// sectors they fill. Each folder adds at most one partly used sector per
/// hierarchy and its four path table records; file data is whole sectors.
struct DiscBudget {
    /// System area 16, descriptors 4, catalog 1, path table rounding 4.
    static let fixedSectors: UInt64 = 25

    private(set) var bytes: UInt64
    private var folders: Set<String> = [""]

    init(sectors: UInt64) {
        bytes = sectors * sectorSize + Self.folderCost(name: "")
    }

    func bytes(adding path: String, _ file: MediaFile) -> UInt64 {
        var total = bytes + Self.fileCost(path: path, file)
        forEachNewFolder(of: path) { total += Self.folderCost(name: $0) }
        return total
    }

    mutating func add(_ path: String, _ file: MediaFile) {
        bytes += Self.fileCost(path: path, file)
        addFolders(of: path)
    }

    /// Counts the folders above `path` not counted yet.
    mutating func addFolders(of path: String) {
        var prefix = ""
        for part in path.split(separator: "/").dropLast() {
            prefix += (prefix.isEmpty ? "" : "/") + part
            if folders.insert(prefix).inserted { bytes += Self.folderCost(name: String(part)) }
        }
    }

    private func forEachNewFolder(of path: String, _ body: (String) -> Void) {
        var prefix = ""
        for part in path.split(separator: "/").dropLast() {
            prefix += (prefix.isEmpty ? "" : "/") + part
            if !folders.contains(prefix) { body(String(part)) }
        }
    }

    private static func recordBound(_ bytes: UInt64) -> UInt64 { (bytes * 8 + 6) / 7 }

    /// Its records (primary ≤ 66 bytes, Joliet ≤ 34 + 2 × name) per extent, and its data sectors.
    private static func fileCost(path: String, _ file: MediaFile) -> UInt64 {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let perExtent: UInt64 = 66 + 34 + 2 * UInt64(name.utf16.count)
        return recordBound(perExtent * UInt64(Extents.count(size: file.size))) + sectors(file.size) * sectorSize
    }

    /// Its record in the parent and its "." and ".." in both hierarchies, one
    /// partly used sector per hierarchy, four path table records.
    private static func folderCost(name: String) -> UInt64 {
        let joliet = 2 * UInt64(name.utf16.count)
        let records = (65 + 34 + joliet) + 4 * 34
        let pathTables = 2 * 40 + 2 * (9 + joliet)
        return recordBound(records) + 2 * sectorSize + pathTables
    }
}
