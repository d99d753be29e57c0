import CFuse3
import Glibc
import Logging
import MediaTree
import RegionMap
import Synchronization
import SystemIO

/// The state behind a mount: the current view, the inodes the kernel still
/// holds from older builds, and the blob descriptor cache. Request handlers
/// (Operations.swift) run on libfuse's worker threads and call in here.
final class MediaFileSystem: Sendable {
    struct State {
        var view: View
        /// Inodes of older builds the kernel still knows (lookup count > 0).
        var retired: [UInt64: Node] = [:]
        /// The kernel's lookup count per inode (lookup/readdirplus add, forget subtracts).
        var lookups: [UInt64: UInt64] = [:]
    }

    let kind: MountViewKind
    let blobs: BlobReader
    let logger: Logger
    let state: Mutex<State>
    /// Largest read the kernel sends (max_read = max_write); see `negotiate` (MountDaemon.swift).
    let maxRequest: Int
    let owner: (uid: UInt32, gid: UInt32)
    /// Reused buffers for the memory parts of read replies (ReadReply.swift).
    let scratchBuffers: ScratchBuffers
    /// Blobs already reported as unreadable, so the log names each once.
    private let reported = Mutex<Set<String>>([])

    /// Files this large are opened with direct I/O: each read goes to the
    /// daemon, whose reply is spliced from the blob's page cache straight
    /// into the reader's buffer. The mount's own page cache would hold a
    /// second copy of every byte read (a 40 GB image read once pushes 40 GB
    /// of library out of memory), and its readahead (128 KiB, raised only by
    /// root through sysfs) caps requests far below the 992 KiB we allow:
    /// measured on the 3 GiB tree file, `dd bs=4M` took 2.8 s through the
    /// page cache and 0.9–1.2 s direct (libfuse's passthrough_ll with direct
    /// I/O and splice: 0.9–1.05 s in the same run). Smaller files keep the
    /// page cache (`keep_cache`: each inode is one version of a file's
    /// bytes, a change gets a new inode) and with it shared mmap, which
    /// direct I/O cannot offer with libfuse 3.14 (ENODEV); large files still
    /// map privately (exec, MAP_PRIVATE).
    static let directIOThreshold: UInt64 = 1 << 20

    static func readsDirectly(size: UInt64) -> Bool { size >= directIOThreshold }

    /// A snapshot never changes under a name: let the kernel cache for a day.
    /// A new build invalidates what changed explicitly.
    static let cacheSeconds: Double = 86_400

    init(kind: MountViewKind, view: View, blobs: BlobReader, logger: Logger, maxRequest: Int) {
        self.kind = kind
        self.blobs = blobs
        self.logger = logger
        self.maxRequest = maxRequest
        self.scratchBuffers = ScratchBuffers(size: maxRequest)
        self.state = Mutex(State(view: view))
        self.owner = (currentUserID, currentGroupID)
    }

    var currentView: View { state.withLock { $0.view } }

    /// The node of `inode`, from the current build or an older one the kernel still holds.
    func node(_ inode: UInt64) -> Node? {
        state.withLock { $0.view.nodes[inode] ?? $0.retired[inode] }
    }

    /// Counts one kernel reference to `node` (a lookup or readdirplus entry).
    /// A node of an older build (a listing taken before a swap) is kept as retired.
    func remember(_ node: Node) {
        state.withLock { s in
            s.lookups[node.inode, default: 0] += 1
            if s.view.nodes[node.inode] == nil && s.retired[node.inode] == nil {
                s.retired[node.inode] = node
            }
        }
    }

    func forget(_ inode: UInt64, count: UInt64) {
        state.withLock { s in
            let left = (s.lookups[inode] ?? 0) > count ? s.lookups[inode]! - count : 0
            if left == 0 {
                s.lookups[inode] = nil
                s.retired[inode] = nil
            } else {
                s.lookups[inode] = left
            }
        }
    }

    /// Installs a new build's view; returns the old one (for invalidation).
    func swap(to view: View) -> View {
        state.withLock { s in
            let old = s.view
            for (inode, node) in old.nodes where view.nodes[inode] == nil && s.lookups[inode] != nil {
                s.retired[inode] = node
            }
            s.view = view
            return old
        }
    }

    // MARK: attributes

    func attributes(of node: Node) -> stat {
        var st = stat()
        st.st_ino = UInt(node.inode)
        st.st_uid = owner.uid
        st.st_gid = owner.gid
        st.st_blksize = 4096
        let time = timespec(tv_sec: Int(node.modified.seconds), tv_nsec: Int(node.modified.nanoseconds))
        st.st_atim = time
        st.st_mtim = time
        st.st_ctim = time
        switch node.kind {
        case .directory(let listing):
            st.st_mode = S_IFDIR | 0o555
            st.st_nlink = UInt(2 + listing.subdirectoryCount)
            st.st_size = 4096
            st.st_blocks = 8
        case .file(let content):
            st.st_mode = S_IFREG | 0o444
            st.st_nlink = 1
            st.st_size = Int(content.size)
            st.st_blocks = Int((content.size + 511) / 512)
        }
        return st
    }

    func entry(for node: Node) -> fuse_entry_param {
        var e = fuse_entry_param()
        e.ino = node.inode
        e.generation = 1
        e.attr = attributes(of: node)
        e.attr_timeout = Self.cacheSeconds
        e.entry_timeout = Self.cacheSeconds
        return e
    }

    // MARK: faults

    /// Logs a blob problem once per blob path (a busy reader must not flood the log).
    func report(_ error: any Error, blob: Blob?, file: String) {
        let key = blob?.path ?? file
        let first = reported.withLock { $0.insert(key).inserted }
        if first { logger.error("\(file): \(error) — reads of this file fail with EIO") }
    }

    /// Opens, for a new reader of a tree file, the blob the file is made of,
    /// afresh (not from the cache) and checked against its recorded size. A
    /// blob that vanished or changed fails the open with EIO. The reader
    /// keeps this descriptor to its last read, so a blob replaced or removed
    /// afterwards cannot change the bytes it gets.
    /// Returns nil for content that is not a blob; throws when it cannot be opened.
    func openForReader(_ content: FileContent, name: String) throws -> PinnedBlob? {
        guard let blob = content.blob else { return nil }
        do {
            let file = try blob.open()
            let actual = try file.status().size
            guard actual == blob.size else { throw BlobError.sizeMismatch(blob, actual: actual) }
            return PinnedBlob(blob: blob, file: file)
        } catch {
            blobs.forget(blob)
            report(error, blob: blob, file: name)
            throw error
        }
    }
}

/// What an open file holds: the content of the build it was opened from. The
/// layout (and with it every blob it names) stays alive until release, so a
/// reader keeps the bytes it started with after the mount moves on.
final class OpenHandle: Sendable {
    let content: FileContent
    /// The layout reads go through, made once per open.
    let layout: Layout
    let name: String
    /// A tree file's blob, opened at open().
    let pinned: PinnedBlob?
    init(content: FileContent, name: String, pinned: PinnedBlob?) {
        self.content = content
        // A tree file's layout names the very Blob it pinned (made once at
        // open), so each read's comparison with it is of the same strings.
        if let pinned {
            self.layout = .single(.blob(pinned.blob, offset: 0), length: pinned.blob.size)
        } else {
            self.layout = content.layout
        }
        self.name = name
        self.pinned = pinned
    }
}

/// A tree file's blob and the descriptor its reader keeps (openForReader).
/// The blob is kept with it, made once: a library file's blob is rebuilt
/// from its digest each time `FileContent.blob` is asked, and reads compare
/// against it.
struct PinnedBlob: Sendable {
    let blob: Blob
    let file: OpenFile
}

/// An open folder: its listing as it was at opendir, and the view it came
/// from (to give attributes to readdirplus entries), so offsets stay valid
/// across a swap.
final class DirectoryHandle: Sendable {
    let node: Node
    let listing: DirectoryListing
    let view: View
    init(node: Node, listing: DirectoryListing, view: View) {
        self.node = node
        self.listing = listing
        self.view = view
    }
}
