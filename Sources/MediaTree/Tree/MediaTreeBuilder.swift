import SystemIO
/// Collects files by path, then freezes them into a `MediaTree`. Refuses a
/// name no media can hold (`NameRules.anyTarget`) and a file where a folder
/// is (or the reverse), each naming the path. Names that only one target
/// cannot hold (a `;` for Joliet, two names differing only in case for FAT
/// and Joliet) are the image producers' to refuse.
public struct MediaTreeBuilder {
    private final class Folder {
        var modified: Timestamp?
        /// Files and folders in the order first added (packages add theirs in
        /// name order, so a folder's children usually need no sorting).
        var entries: [Entry] = []
        /// Name → position in `entries`: one lookup per add finds a
        /// replacement and a file over a folder.
        var index: [String: Int] = [:]
    }

    private enum Entry {
        case file(MediaFile)
        case folder(name: String, Folder)

        var name: String {
            switch self {
            case .file(let f): return f.name
            case .folder(let name, _): return name
            }
        }
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
        if let problem = NameRules.anyTarget.problem(with: file.name) { throw .badName(path: joinedPath(folder, file.name), problem: problem) }
        guard let i = parent.index[file.name] else {
            parent.index[file.name] = parent.entries.count
            parent.entries.append(.file(file))
            return
        }
        switch parent.entries[i] {
        case .file:
            parent.entries[i] = .file(file)
        case .folder:
            throw .fileOverFolder(path: joinedPath(folder, file.name))
        }
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
            let here = joinedPath(walked, name)
            switch current.index[name].map({ current.entries[$0] }) {
            case .folder(_, let next)?:
                current = next
            case .file?:
                throw .fileOverFolder(path: here)
            case nil:
                if let problem = NameRules.anyTarget.problem(with: name) { throw .badName(path: here, problem: problem) }
                let next = Folder()
                current.index[name] = current.entries.count
                current.entries.append(.folder(name: name, next))
                current = next
            }
            walked = here
        }
        return current
    }


    /// The frozen tree. A folder without its own time takes the newest time
    /// inside it, or `defaultTime` when empty, so the tree is deterministic.
    public func build(label: String, defaultTime: Timestamp) -> MediaTree {
        func freeze(_ folder: Folder, name: String) -> MediaDirectory {
            var children: [MediaNode] = []
            children.reserveCapacity(folder.entries.count)
            var newest: Timestamp?
            for entry in folder.entries {
                let node: MediaNode
                switch entry {
                case .file(let f): node = .file(f)
                case .folder(let name, let sub): node = .directory(freeze(sub, name: name))
                }
                if newest.map({ node.modified > $0 }) ?? true { newest = node.modified }
                children.append(node)
            }
            return MediaDirectory(name: name, modified: folder.modified ?? newest ?? defaultTime, children: children)
        }
        return MediaTree(root: freeze(root, name: ""), label: label)
    }
}

public enum MediaTreeError: Error, CustomStringConvertible, Equatable {
    case badName(path: String, problem: String)
    case fileOverFolder(path: String)

    public var description: String {
        switch self {
        case .badName(let path, let problem):
            return "\(path): this name cannot be put on the media: \(problem)"
        case .fileOverFolder(let path):
            return "\(path): one source has a file here and another a folder"
        }
    }
}
