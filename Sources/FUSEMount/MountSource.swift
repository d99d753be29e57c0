import SystemIO
import MediaTree
import RegionMap

/// One snapshot of what a mount shows: the media tree and the virtual images
/// built from it. Immutable; a live mount swaps whole builds.
public struct MountBuild: Sendable {
    public let tree: MediaTree
    /// The files of the `--images` view, in the order they are listed.
    public let images: [MountImage]
    /// Changes exactly when the bytes the mount would serve change.
    public let identity: String
    /// What the build left out or found wrong without failing (a broken package
    /// the media does not use, an image that cannot be made): logged once each.
    public let warnings: [String]

    public init(tree: MediaTree, images: [MountImage], identity: String, warnings: [String] = []) {
        self.tree = tree
        self.images = images
        self.identity = identity
        self.warnings = warnings
    }
}

/// A virtual image file: its name in the `--images` folder and its layout.
public struct MountImage: Sendable {
    public let name: String
    public let layout: Layout
    public init(name: String, layout: Layout) {
        self.name = name
        self.layout = layout
    }
}

/// Where builds come from. The command wires MediaEngine to it; tests and
/// benchmarks mount a plain folder through `FolderSource`.
public protocol MountSource: Sendable {
    /// Takes a new snapshot and builds from it (called again on every change).
    func load() throws -> MountBuild
    /// Folders whose changes may change the build (inotify watches them).
    var watchPaths: [String] { get }
}

/// Which of the two views a mount shows.
public enum MountViewKind: Sendable {
    /// The media's files and folders, as the stick or disc holds them.
    case tree
    /// A folder of the whole-disk images (USB `.img`, each ISO of a set).
    case images
}

/// A plain folder as a media tree (no images): for tests and for benchmarks
/// that compare a mounted file with the same file read by other tools.
public struct FolderSource: MountSource {
    public let folder: String
    public let label: String

    public init(folder: String, label: String = "MEDIAFS") {
        self.folder = folder
        self.label = label
    }

    public func load() throws -> MountBuild {
        let tree = try MediaTree.fromFolder(folder, label: label)
        let identity = Hex.lower(tree.fingerprint)
        return MountBuild(tree: tree, images: [], identity: identity)
    }

    public var watchPaths: [String] { [folder] }
}
