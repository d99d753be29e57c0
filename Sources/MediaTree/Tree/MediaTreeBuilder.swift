/// Collects files by path, then freezes them into a `MediaTree`. Refuses a
/// name either image could not hold, two names that differ only in case in
/// one folder, and a file where a folder is (or the reverse), each naming the paths.
public struct MediaTreeBuilder {
    private final class Folder {
        var modified: Timestamp?
        var files: [String: MediaFile] = [:]
        var folders: [String: Folder] = [:]
        /// Case-folded name → the name as first added, across files and folders.
        var folded: [String: String] = [:]
    }

    private let root = Folder()
    /// The folder the last add went to: the composer adds a package's files
    /// folder by folder, so most adds skip splitting and walking the path.
    /// Folders are never removed, so the cached one stays valid.
    private var lastFolder: (path: String, folder: Folder)?

    public init() {}

    /// Adds `file` under the folder `folder` (`SMS/PKG/ABC00001`, "" for the root),
    /// creating folders. Adding the same path twice replaces the file (a later package wins).
    public mutating func add(_ file: MediaFile, in folder: String) throws(MediaTreeError) {
        let parent: Folder
        if let last = lastFolder, last.path == folder {
            parent = last.folder
        } else {
            parent = try ensureFolder(folder)
            lastFolder = (folder, parent)
        }
        let path = folder.isEmpty ? file.name : folder + "/" + file.name
        if let problem = NameRules.problem(with: file.name) { throw .badName(path: path, problem: problem) }
        if parent.folders[file.name] != nil { throw .fileOverFolder(path: path) }
        try claim(file.name, in: parent, folderPath: folder)
        parent.files[file.name] = file
    }

    /// Makes sure the folder exists; `modified` sets its time (else the newest of its contents).
    public mutating func addFolder(_ path: String, modified: Timestamp? = nil) throws(MediaTreeError) {
        let folder = try ensureFolder(path)
        if let modified { folder.modified = modified }
    }

    private func ensureFolder(_ path: String) throws(MediaTreeError) -> Folder {
        var current = root
        var walked = ""
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            let name = String(part)
            let here = walked.isEmpty ? name : walked + "/" + name
            if let next = current.folders[name] {
                current = next
            } else {
                if let problem = NameRules.problem(with: name) { throw .badName(path: here, problem: problem) }
                if current.files[name] != nil { throw .fileOverFolder(path: here) }
                try claim(name, in: current, folderPath: walked)
                let next = Folder()
                current.folders[name] = next
                current = next
            }
            walked = here
        }
        return current
    }

    private func claim(_ name: String, in folder: Folder, folderPath: String) throws(MediaTreeError) {
        let key = NameRules.caseFolded(name)
        if let existing = folder.folded[key], existing != name {
            let prefix = folderPath.isEmpty ? "" : folderPath + "/"
            throw .caseCollision(first: prefix + existing, second: prefix + name)
        }
        folder.folded[key] = name
    }

    /// The frozen tree. A folder without its own time takes the newest time
    /// inside it, or `defaultTime` when empty, so the tree is deterministic.
    public func build(label: String, defaultTime: Timestamp) -> MediaTree {
        func freeze(_ folder: Folder, name: String) -> MediaDirectory {
            var children: [MediaNode] = folder.files.values.map { .file($0) }
            children += folder.folders.map { .directory(freeze($0.value, name: $0.key)) }
            let newest = children.map(\.modified).max()
            return MediaDirectory(name: name, modified: folder.modified ?? newest ?? defaultTime, children: children)
        }
        return MediaTree(root: freeze(root, name: ""), label: label)
    }
}

public enum MediaTreeError: Error, CustomStringConvertible, Equatable {
    case badName(path: String, problem: String)
    case caseCollision(first: String, second: String)
    case fileOverFolder(path: String)

    public var description: String {
        switch self {
        case .badName(let path, let problem):
            return "\(path): this name cannot be put on the media: \(problem)"
        case .caseCollision(let first, let second):
            return "\(first) and \(second): the names differ only in case, and FAT and Joliet ignore case"
        case .fileOverFolder(let path):
            return "\(path): one source has a file here and another a folder"
        }
    }
}
