import MediaTree

/// A folder of one disc. Index 0 is the root, whose parent is itself.
struct PlanFolder {
    let name: String
    let modified: Timestamp
    let parent: Int
    let depth: Int
    /// In the tree's order (UTF-8 of the names), folders and files mixed.
    var children: [PlanChild] = []
}

enum PlanChild {
    case folder(Int)
    case file(Int)
}

struct PlanFile {
    let path: String
    let file: MediaFile
}

/// The part of a media tree that goes on one disc: the chosen files, the
/// folders that hold them, and (on the first disc) the tree's empty folders.
struct DiscContent {
    var folders: [PlanFolder] = []
    var files: [PlanFile] = []

    /// `include(path)` says which files are on this disc; `emptyFolders` keeps
    /// folders with no file anywhere below them (the first disc takes those).
    init(tree: MediaTree, include: (String) -> Bool, emptyFolders: Bool) {
        folders.append(PlanFolder(name: "", modified: tree.root.modified, parent: 0, depth: 1))
        _ = walk(tree.root, index: 0, prefix: "", include: include, emptyFolders: emptyFolders)
    }

    /// Adds the children of `directory` under folder `index`; returns whether
    /// the folder is kept. Folders are appended before their contents are
    /// known, and dropped again (with everything after them) when empty.
    private mutating func walk(_ directory: MediaDirectory, index: Int, prefix: String,
                               include: (String) -> Bool, emptyFolders: Bool) -> Bool {
        var hasFilesBelow = false
        for child in directory.children {
            switch child {
            case .file(let file):
                hasFilesBelow = true
                let path = prefix + file.name
                if include(path) {
                    files.append(PlanFile(path: path, file: file))
                    folders[index].children.append(.file(files.count - 1))
                }
            case .directory(let sub):
                let folderCount = folders.count, fileCount = files.count
                folders.append(PlanFolder(name: sub.name, modified: sub.modified, parent: index, depth: folders[index].depth + 1))
                let (kept, subHasFiles) = walkChild(sub, index: folderCount, prefix: prefix + sub.name + "/",
                                                    include: include, emptyFolders: emptyFolders)
                hasFilesBelow = hasFilesBelow || subHasFiles
                if kept {
                    folders[index].children.append(.folder(folderCount))
                } else {
                    folders.removeSubrange(folderCount...)
                    files.removeSubrange(fileCount...)
                }
            }
        }
        return hasFilesBelow
    }

    /// (kept, has files anywhere below) for a sub-folder just appended at `index`.
    private mutating func walkChild(_ directory: MediaDirectory, index: Int, prefix: String,
                                    include: (String) -> Bool, emptyFolders: Bool) -> (Bool, Bool) {
        let hasFilesBelow = walk(directory, index: index, prefix: prefix, include: include, emptyFolders: emptyFolders)
        let kept = !folders[index].children.isEmpty || (!hasFilesBelow && emptyFolders)
        return (kept, hasFilesBelow)
    }
}
