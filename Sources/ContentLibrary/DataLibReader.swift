import Synchronization
import SystemIO

/// Reads one content ID's tree under `DataLib/<ContentID>/`: real sub-folders,
/// and each file of the package as `<name>.INI` with `[File] Size= Hash=
/// Attributes= TimeModified=`. This is the hot path of loading a package (one
/// small file per package file: 100,000 for a large driver package):
///
/// - the calling thread lists the folders, in name order (names and structure
///   are checked here, so their errors come first), and hands out the per-file
///   INIs it finds in slices of consecutive files as soon as a slice is full;
/// - every thread (the calling one too, once the listing is done) reads the
///   slices (openat + read + close, relative to their open folder) and scans
///   them in place (`FileINI`), while the listing goes on.
///
/// Each slice's result lands at its own place, so the files come out in the
/// same order however many threads ran, and the error thrown is the one of
/// the first file at fault in that order.
struct DataLibReader: Sendable {
    let root: String
    /// Stat each blob and compare its size (off for `verify`, which reports
    /// missing blobs itself, and for a mount, which checks each blob when a
    /// reader opens its file).
    let checkBlobs: Bool
    /// Threads that read per-file INIs at most (1: the calling thread only).
    let workers: Int
    /// FileLib's real `<first 4>` folders, for the blob checks' one-stat path.
    let fileLibFolders: FileLibFolders

    init(root: String, checkBlobs: Bool, fileLibFolders: FileLibFolders = .none, workers: Int = DataLibReader.defaultWorkers) {
        self.root = root
        self.checkBlobs = checkBlobs
        self.fileLibFolders = fileLibFolders
        self.workers = max(1, workers)
    }

    /// One per processor, at most 4 (measured on 2: the time is mostly the
    /// kernel's, in openat, and more threads than that were not tried).
    static let defaultWorkers = min(4, ParallelWork.processorCount)
    /// Files per slice: large enough that taking a slice costs nothing, small
    /// enough that reading starts early and the threads end together.
    static let sliceSize = 512

    func load(packageID: String, version: Int, name: String?, namedBy indexPath: String) throws -> PackageContent {
        let contentID = LibraryNames.contentID(packageID, version: version)
        let folderPath = root + "/DataLib/" + contentID
        // Everything is opened beneath the library root: a linked DataLib/<ContentID>
        // folder (or any link in it) is refused, naming it, never followed out.
        let folder: OpenDirectory
        do {
            folder = try OpenDirectory(path: folderPath, beneath: root)
        } catch let error as SystemError where error.isNotFound {
            throw ContentLibraryError.missingContent(path: folderPath, contentID: contentID, listedIn: indexPath)
        } catch {
            throw ContentLibraryError.from(error, path: folderPath)
        }
        // The content INI carries only a whole-content hash of unpublished algorithm
        // (mediafs writes its own, see PackageWriter); it must parse when present.
        let contentINI = folderPath + ".INI"
        do {
            let bytes = try OpenFile(path: contentINI, beneath: root).readAll()
            _ = try INIFile(parsing: bytes, path: contentINI)
        } catch let error as SystemError where error.isNotFound {
            // No content INI: nothing to check.
        } catch {
            throw ContentLibraryError.from(error, path: contentINI)
        }

        let (files, folders) = try readTree(folder)
        return PackageContent(packageID: packageID, version: version, contentID: contentID,
                              name: name, files: files, folders: folders.sorted(by: utf8Precedes))
    }

    // MARK: step 1: the folders

    /// A per-file INI to read: its folder, its name there and the package path it describes.
    struct PendingFile: Sendable {
        /// Absolute path of the folder (one String shared by the folder's files).
        let folder: String
        let iniName: String
        let packagePath: String
    }

    struct Listing {
        /// The package's folders, relative ("Drivers/net"), in walk order.
        var folders: [String] = []
        /// The files listed and not handed out yet, in UTF-8 order of their package paths.
        var files: [PendingFile] = []
        /// Takes `files` each time it holds a slice's worth.
        let handOut: ([PendingFile]) -> Void

        init(handOut: @escaping ([PendingFile]) -> Void) {
            self.handOut = handOut
            files.reserveCapacity(DataLibReader.sliceSize)
        }

        /// Lists the package folder and hands out every file (the last slice may be short).
        mutating func run(folder: OpenDirectory) throws {
            try visit(folder, relative: "")
            if !files.isEmpty { handOut(files) }
            files = []
        }

        /// Lists `folder` (the package path `relative`) and its sub-folders, depth first.
        /// Entries are visited in the order of their package paths, a folder's
        /// name counting as `name/`: then the files come out already sorted by
        /// path (a file `a` and a folder `a-b` come before the folder `a`'s files).
        mutating func visit(_ directory: OpenDirectory, relative: String) throws {
            let folder = directory.path
            struct Item {
                /// The name, with `/` after a folder's: what the entries sort by.
                let key: String
                let name: String
                /// The per-file INI's name; nil for a folder.
                let iniName: String?
            }
            var items: [Item] = []
            var subfolderNames: Set<String> = []
            let entries: [FileSystem.DirectoryEntry]
            do { entries = try directory.list() } catch { throw ContentLibraryError.from(error, path: folder) }
            for entry in entries {
                switch entry.kind {
                case .directory:
                    if let problem = LibraryNames.problem(with: entry.name) {
                        throw ContentLibraryError.invalidName(path: folder + "/" + entry.name, reason: problem)
                    }
                    items.append(Item(key: entry.name + "/", name: entry.name, iniName: nil))
                    subfolderNames.insert(entry.name)
                case .regular:
                    guard hasINISuffix(entry.name) else {
                        throw ContentLibraryError.conflict(path: folder + "/" + entry.name,
                            reason: "a file in a DataLib package folder must be a per-file INI (<name>.INI)")
                    }
                    let name = String(decoding: entry.name.utf8.dropLast(4), as: UTF8.self)
                    if let problem = LibraryNames.problem(with: name) {
                        throw ContentLibraryError.invalidName(path: folder + "/" + entry.name, reason: problem)
                    }
                    items.append(Item(key: name, name: name, iniName: entry.name))
                default:
                    throw ContentLibraryError.unsupportedEntry(path: folder + "/" + entry.name, kind: kindName(entry.kind))
                }
            }
            items.sort { utf8Precedes($0.key, $1.key) }

            for (i, item) in items.enumerated() {
                guard let iniName = item.iniName else {
                    let child = joinedPath(relative, item.name)
                    folders.append(child)
                    let subfolder: OpenDirectory
                    do { subfolder = try directory.openDirectory(item.name) } catch {
                        throw ContentLibraryError.from(error, path: joinedPath(folder, item.name))
                    }
                    try visit(subfolder, relative: child)
                    continue
                }
                // Two INI files naming one package path ("a.INI" and "a.ini") sort
                // side by side; a file and a folder on one path ("a.INI" beside a
                // folder "a") cannot both be served either.
                if i > 0, items[i - 1].key == item.key {
                    throw ContentLibraryError.conflict(path: folder + "/" + item.name, reason: "two per-file INI files name this path")
                }
                if !subfolderNames.isEmpty, subfolderNames.contains(item.name) {
                    throw ContentLibraryError.conflict(path: folder + "/" + item.name,
                        reason: "is both a file (\(item.name).INI) and a folder")
                }
                files.append(PendingFile(folder: folder, iniName: iniName, packagePath: joinedPath(relative, item.name)))
                if files.count == DataLibReader.sliceSize {
                    handOut(files)
                    files = []
                    files.reserveCapacity(DataLibReader.sliceSize)
                }
            }
        }
    }

    // MARK: step 2: the per-file INIs

    /// The files and folders of the package folder `folder`, files in path order.
    ///
    /// The threads write what they read into buffers the calling thread made
    /// (a slot per file: nothing shared is written twice), and the calling
    /// thread makes the Strings afterwards. So the other threads allocate
    /// nothing that outlives them: memory a thread's malloc arena holds at its
    /// end is not given back by `Memory.returnFreedToSystem` (glibc trims only
    /// free chunks, not a thread arena's top), and a mount daemon would keep it.
    private func readTree(_ folder: OpenDirectory) throws -> (files: [LibraryFile], folders: [String]) {
        let slices = SliceQueue()
        let folders = FolderList()
        let fileLibPath = root + "/FileLib"
        let checkBlobs = checkBlobs
        let root = root
        let fileLibFolders = fileLibFolders

        ParallelWork.run(workers: workers) { worker in
            if worker == 0 {
                // The listing, on the calling thread; the others read what it hands out meanwhile.
                var listing = Listing(handOut: { slices.add($0) })
                do {
                    try listing.run(folder: folder)
                    folders.set(listing.folders)
                    slices.finishListing(nil)
                } catch {
                    slices.finishListing(error)
                }
            }
            var reader = SliceReader(root: root, fileLibPath: fileLibPath, checkBlobs: checkBlobs, fileLibFolders: fileLibFolders)
            while let slice = slices.next() {
                do {
                    try reader.read(slice.files, into: slice.parsed)
                } catch {
                    slices.fail(slice.index, error)
                }
            }
        }
        let (all, firstError) = slices.finish()
        if let firstError { throw firstError }

        var files: [LibraryFile] = []
        files.reserveCapacity(all.reduce(0) { $0 + $1.files.count })
        for slice in all {
            for (i, p) in slice.files.enumerated() {
                let f = slice.parsed[i]
                files.append(LibraryFile(path: p.packagePath, size: f.size, hash: f.hash.upperHex, attributes: f.attributes,
                                         timeModified: f.timeModified, blobPath: LibraryNames.blobPath(under: fileLibPath, f.hash)))
            }
        }
        return (files, folders.get())
    }

    /// A slot per file, written by the one thread that reads that file's slice
    /// and read by the calling thread once every thread has returned.
    private final class ParsedFiles: @unchecked Sendable {
        private let slots: UnsafeMutableBufferPointer<FileINI>

        init(count: Int) {
            slots = .allocate(capacity: max(1, count))
            slots.initialize(repeating: FileINI(size: 0, hash: SHA256Digest.zero, attributes: 0, timeModified: 0))
        }

        deinit { slots.deallocate() }

        subscript(index: Int) -> FileINI {
            get { slots[index] }
            set { slots[index] = newValue }
        }
    }

    /// A slice handed out by the listing: its files and the slots for what is read of them.
    private struct Slice: Sendable {
        let index: Int
        let files: [PendingFile]
        let parsed: ParsedFiles
    }

    /// The slices the listing hands out, which one to read next, and what went wrong.
    private final class SliceQueue: Sendable {
        private struct State {
            var slices: [Slice] = []
            var next = 0
            var listingDone = false
            var listingError: (any Error)?
            /// Slices that failed (each stops at its first fault).
            var failures: [(slice: Int, error: any Error)] = []
        }
        private let state = Mutex(State())

        /// Called by the listing (the calling thread: the slots are allocated there).
        func add(_ files: [PendingFile]) {
            let parsed = ParsedFiles(count: files.count)
            state.withLock { s in s.slices.append(Slice(index: s.slices.count, files: files, parsed: parsed)) }
        }

        func finishListing(_ error: (any Error)?) {
            state.withLock { s in
                s.listingDone = true
                s.listingError = error
            }
        }

        /// The next slice nobody has taken, waiting for the listing to hand one out;
        /// nil once all are taken and the listing is done, or once anything failed
        /// (the slices after a failed one cannot hold the first error: each slice
        /// before it was taken earlier and is read to its end or its own error).
        func next() -> Slice? {
            while true {
                enum Answer { case slice(Slice), wait, done }
                let answer: Answer = state.withLock { s in
                    if s.listingError != nil || !s.failures.isEmpty { return .done }
                    if s.next < s.slices.count {
                        defer { s.next += 1 }
                        return .slice(s.slices[s.next])
                    }
                    return s.listingDone ? .done : .wait
                }
                switch answer {
                case .slice(let slice): return slice
                case .done: return nil
                case .wait: ParallelWork.pause()
                }
            }
        }

        func fail(_ slice: Int, _ error: any Error) {
            state.withLock { s in s.failures.append((slice, error)) }
        }

        /// Every slice in order, and the error to throw: the listing's, else the lowest failed slice's.
        func finish() -> (slices: [Slice], error: (any Error)?) {
            state.withLock { s in
                (s.slices, s.listingError ?? s.failures.min { $0.slice < $1.slice }?.error)
            }
        }
    }

    /// The package's folders, set by the listing.
    private final class FolderList: Sendable {
        private let folders = Mutex<[String]>([])
        func set(_ list: [String]) { folders.withLock { $0 = list } }
        func get() -> [String] { folders.withLock { $0 } }
    }

    /// What each thread keeps: its buffer and its open folder.
    private struct SliceReader {
        /// The library root: folders are opened beneath it (no link followed).
        let root: String
        let fileLibPath: String
        let checkBlobs: Bool
        /// FileLib, open, to stat blobs as `<first 4>/<HASH>` inside it.
        var fileLib: OpenDirectory?
        /// The `FileLib/<first 4>` folders listed as real folders (not links).
        let fileLibFolders: FileLibFolders
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        var folder: OpenDirectory?

        init(root: String, fileLibPath: String, checkBlobs: Bool, fileLibFolders: FileLibFolders) {
            self.root = root
            self.fileLibPath = fileLibPath
            self.checkBlobs = checkBlobs
            self.fileLibFolders = fileLibFolders
        }

        mutating func read(_ files: [PendingFile], into parsed: ParsedFiles) throws {
            for (i, pending) in files.enumerated() {
                let directory: OpenDirectory
                if let open = folder, open.path == pending.folder {
                    directory = open
                } else {
                    do { directory = try OpenDirectory(path: pending.folder, beneath: root) } catch {
                        throw ContentLibraryError.from(error, path: pending.folder)
                    }
                    folder = directory
                }
                let count: Int
                do { count = try directory.readFile(pending.iniName, into: &buffer) } catch {
                    throw ContentLibraryError.from(error, path: directory.path + "/" + pending.iniName)
                }
                let ini = try buffer.withUnsafeBufferPointer {
                    try FileINI(parsing: UnsafeBufferPointer(rebasing: $0[0..<count]), path: directory.path + "/" + pending.iniName)
                }
                if checkBlobs {
                    try checkBlob(ini, path: directory.path + "/" + pending.iniName)
                }
                parsed[i] = ini
            }
        }

        /// The blob is in FileLib, a regular file reached through no link, and has the recorded size.
        private mutating func checkBlob(_ ini: FileINI, path: @autoclosure () -> String) throws {
            let relative = LibraryNames.blobPath(under: "", ini.hash)
            let st: FileStatus?
            do {
                let fileLib = try self.fileLib ?? OpenDirectory(path: fileLibPath, beneath: root)
                self.fileLib = fileLib
                // One stat per file, duplicates included: remembering sizes by
                // hash cost as much as the stats it saved.
                let (folder, name) = splitPath(relative)
                st = try fileLib.statusBeneath(folder: folder, name: name, folderIsReal: fileLibFolders.contains(ini.hash))
            } catch {
                throw ContentLibraryError.from(error, path: fileLibPath + "/" + relative)
            }
            guard let st else {
                throw ContentLibraryError.missingBlob(path: path(), blobPath: fileLibPath + "/" + relative)
            }
            guard st.kind == .regular else {
                throw ContentLibraryError.unreadable(path: fileLibPath + "/" + relative,
                                                     reason: "is \(st.kind.article), not a regular file (the blob of \(path()))")
            }
            guard st.size == ini.size else {
                throw ContentLibraryError.sizeMismatch(path: path(), blobPath: fileLibPath + "/" + relative,
                                                       recorded: ini.size, actual: st.size)
            }
        }
    }
}
