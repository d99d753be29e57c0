// WIMArchive: a typed, throwing Swift reader over wimlib (libwim, Debian's
// libwim-dev) for the few things mediafs needs from a Windows image file (WIM):
// its images and their XML properties, a folder's entries, and a few files'
// bytes. The WIM is read where it lies (a library blob): never copied, never
// rewritten. A *reader* only; mediafs's prestaged WIM *writer* is another module.
import CWim
import SystemIO
#if canImport(Glibc)
import Glibc  // strdup/free for wimlib's C path array (memory, not system calls)
#endif

/// Why a WIM could not be read, with the file it concerns.
public struct WIMArchiveError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The WIM file (as the caller named it).
    public let file: String
    /// What was being done ("open", "read image 2's files", …).
    public let operation: String
    /// wimlib's error code (WIMLIB_ERR_*), 0 when the problem is not wimlib's.
    public let code: Int32
    /// wimlib's words for `code`, or mediafs's.
    public let reason: String

    public init(file: String, operation: String, code: Int32, reason: String) {
        self.file = file
        self.operation = operation
        self.code = code
        self.reason = reason
    }

    init(file: String, operation: String, code: Int32) {
        var reason = String(cString: wimlib_get_error_string(wimlib_error_code(rawValue: UInt32(bitPattern: code))))
        switch wimlib_error_code(rawValue: UInt32(bitPattern: code)) {
        case WIMLIB_ERR_IS_SPLIT_WIM: reason += " (a split WIM, .swm: join it into one .wim first)"
        case WIMLIB_ERR_NOT_A_WIM_FILE: reason = "it is not a WIM file (no MSWIM magic)"
        default: break
        }
        self.init(file: file, operation: operation, code: code, reason: reason)
    }

    public var description: String { "\(file): \(operation): \(reason)" }
}

/// One file or folder of a WIM image, as `entries(under:)` lists it.
public struct WIMEntry: Sendable, Equatable {
    /// Path inside the image, `/`-separated, without a leading slash (`Windows/Boot/PCAT/bootmgr`).
    public let path: String
    public let isDirectory: Bool
    /// Windows file attributes (FILE_ATTRIBUTE_*).
    public let attributes: UInt32
    /// Size of the unnamed data stream (the file's content).
    public let size: UInt64
    /// Last write time: seconds since 1970 and nanoseconds.
    public let lastWriteSeconds: Int64
    public let lastWriteNanoseconds: Int32
}

/// An open WIM file. Not thread-safe (wimlib's WIMStruct is not): use one from one thread.
public final class WIMArchive {
    /// The path it was opened from (named in every error).
    public let file: String
    private let wim: OpaquePointer

    /// wimlib's process-wide set-up, done once (Swift runs a global's initializer once, thread-safely).
    private static let initialized: Int32 = wimlib_global_init(0)

    /// Opens the WIM at `path`: its header, XML and blob table. Split WIMs (.swm),
    /// and WIMs whose header or tables are damaged, are refused here.
    public init(path: String, name: String? = nil) throws(WIMArchiveError) {
        let name = name ?? path
        self.file = name
        let setup = WIMArchive.initialized
        guard setup == 0 else { throw WIMArchiveError(file: name, operation: "initialize wimlib", code: setup) }
        do {
            let file = try OpenFile(path: path)
            try WIMSanity.check(file)
        } catch let error as WIMSanityError {
            throw WIMArchiveError(file: name, operation: "open", code: 0, reason: error.reason)
        } catch {
            throw WIMArchiveError(file: name, operation: "open", code: 0, reason: "\(error)")
        }
        var opened: OpaquePointer?
        let code = wimlib_open_wim(path, WIMLIB_OPEN_FLAG_ERROR_IF_SPLIT, &opened)
        guard code == 0, let opened else { throw WIMArchiveError(file: name, operation: "open", code: code) }
        self.wim = opened
    }

    /// Opens `bytes` as a WIM: for tests and fuzzing — arbitrary bytes must throw, never
    /// crash. wimlib opens by name (and resolves it), so the bytes are written to a private
    /// temporary folder (memory, in /dev/shm), removed once wimlib holds the file open.
    public static func open(bytes: [UInt8], name: String = "memory.wim") throws(WIMArchiveError) -> WIMArchive {
        let folder: String
        do {
            folder = try FileSystem.makeTemporaryDirectory(prefix: "mediafs-wimbytes-")
            try FileSystem.writeAtomically(folder + "/bytes.wim", bytes: bytes, sync: false)
        } catch {
            throw WIMArchiveError(file: name, operation: "hold in memory", code: 0, reason: "\(error)")
        }
        defer { try? FileSystem.removeTree(folder) }
        return try WIMArchive(path: folder + "/bytes.wim", name: name)
    }

    deinit { wimlib_free(wim) }

    // MARK: the WIM's images

    /// How many images the WIM holds (they are numbered from 1).
    public var imageCount: Int {
        var info = wimlib_wim_info()
        guard wimlib_get_wim_info(wim, &info) == 0 else { return 0 }
        return Int(info.image_count)
    }

    /// A property of an image's XML, by wimlib's path syntax (`WINDOWS/ARCH`, `NAME`), or nil.
    public func property(_ name: String, image: Int) throws(WIMArchiveError) -> String? {
        try checkImage(image)
        guard let value = wimlib_get_image_property(wim, Int32(image), name) else { return nil }
        return String(cString: value)
    }

    /// The image's `<WINDOWS><ARCH>` value (0 x86, 9 x64, 12 arm64 — PROCESSOR_ARCHITECTURE_*), or nil.
    public func architectureCode(image: Int) throws(WIMArchiveError) -> Int? {
        try property("WINDOWS/ARCH", image: image).flatMap { Int($0.trimmingCharacters(in: " \t\r\n")) }
    }

    private func checkImage(_ image: Int) throws(WIMArchiveError) {
        let count = imageCount
        guard image >= 1, image <= count else {
            throw WIMArchiveError(file: file, operation: "choose image \(image)", code: 0,
                                  reason: "the WIM has \(count) image\(count == 1 ? "" : "s") (1\(count > 1 ? "–\(count)" : ""))")
        }
    }

    // MARK: finding files

    /// The entries of the folder at `path` (`/`-separated, found without regard to case),
    /// with everything below it when `recursive`; nil when there is no such folder.
    public func entries(under path: String, image: Int, recursive: Bool) throws(WIMArchiveError) -> [WIMEntry]? {
        try checkImage(image)
        // wimlib looks paths up with case (on Linux): walk down one level at a time,
        // matching each name case-insensitively, to the image's own spelling.
        var exact = ""
        for part in path.split(separator: "/") {
            let children = try iterate("/" + exact, image: image, flags: Int32(WIMLIB_ITERATE_DIR_TREE_FLAG_CHILDREN))
            guard let match = children.first(where: { $0.isDirectory && WIMArchive.sameName(lastComponent($0.path), String(part)) }) else {
                return nil
            }
            exact = match.path
        }
        let flags = recursive ? WIMLIB_ITERATE_DIR_TREE_FLAG_RECURSIVE | WIMLIB_ITERATE_DIR_TREE_FLAG_CHILDREN
                              : WIMLIB_ITERATE_DIR_TREE_FLAG_CHILDREN
        return try iterate("/" + exact, image: image, flags: Int32(flags))
    }

    /// Names compared as Windows does for these files: ASCII letters without regard to case.
    public static func sameName(_ a: String, _ b: String) -> Bool {
        a.count == b.count && a.uppercased() == b.uppercased()
    }

    private func lastComponent(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    private final class Collector {
        var entries: [WIMEntry] = []
    }

    private func iterate(_ path: String, image: Int, flags: Int32) throws(WIMArchiveError) -> [WIMEntry] {
        let collector = Collector()
        let code = wimlib_iterate_dir_tree(wim, Int32(image), path, flags, { dentry, context in
            guard let dentry, let context else { return 0 }
            let collector = Unmanaged<Collector>.fromOpaque(context).takeUnretainedValue()
            let d = dentry.pointee
            var full = d.full_path.map { String(cString: $0) } ?? ""
            while full.hasPrefix("/") { full.removeFirst() }
            let attributes = d.attributes
            let isDirectory = attributes & UInt32(WIMLIB_FILE_ATTRIBUTE_DIRECTORY) != 0
            let size = isDirectory ? 0 : cwim_dir_entry_stream(dentry, 0).pointee.resource.uncompressed_size
            let seconds = Int64(d.last_write_time.tv_sec)
            collector.entries.append(WIMEntry(path: full, isDirectory: isDirectory, attributes: attributes, size: size,
                                              lastWriteSeconds: seconds, lastWriteNanoseconds: Int32(clamping: d.last_write_time.tv_nsec)))
            return 0
        }, Unmanaged.passUnretained(collector).toOpaque())
        withExtendedLifetime(collector) {}
        guard code == 0 else { throw WIMArchiveError(file: file, operation: "list \(path) in image \(image)", code: code) }
        return collector.entries
    }

    // MARK: reading files

    /// The bytes of the files at `paths` (exact paths as `entries(under:)` gives them) of
    /// `image`, checked against their SHA-1 by wimlib. Each file must be at most
    /// `limit` bytes. wimlib extracts only to a folder, so they pass through a private
    /// temporary folder (in /dev/shm when there is one), removed before returning.
    public func read(_ paths: [String], image: Int, limit: UInt64 = 64 << 20) throws(WIMArchiveError) -> [String: [UInt8]] {
        try checkImage(image)
        if paths.isEmpty { return [:] }
        let folder: String
        do { folder = try FileSystem.makeTemporaryDirectory(prefix: "mediafs-wim-") } catch {
            throw WIMArchiveError(file: file, operation: "read files", code: 0, reason: "\(error)")
        }
        defer { try? FileSystem.removeTree(folder) }
        var cPaths = paths.map { strdup("/" + $0) }
        defer { for p in cPaths { free(p) } }
        let code = cPaths.withUnsafeMutableBufferPointer { buffer -> Int32 in
            buffer.withMemoryRebound(to: UnsafePointer<CChar>?.self) { rebound in
                wimlib_extract_paths(wim, Int32(image), folder, rebound.baseAddress, rebound.count,
                                     Int32(WIMLIB_EXTRACT_FLAG_NO_ACLS | WIMLIB_EXTRACT_FLAG_NO_ATTRIBUTES))
            }
        }
        guard code == 0 else {
            throw WIMArchiveError(file: file, operation: "read \(paths.joined(separator: ", ")) from image \(image)", code: code)
        }
        var result: [String: [UInt8]] = [:]
        for path in paths {
            let extracted = folder + "/" + path
            do {
                // Only a regular file is read: a WIM's reparse point (a link) must not lead out.
                guard let st = try FileSystem.status(extracted, followLinks: false), st.kind == .regular else {
                    throw WIMArchiveError(file: file, operation: "read \(path)", code: 0, reason: "it is not a regular file")
                }
                let opened = try OpenFile(path: extracted)
                let size = try opened.status().size
                guard size <= limit else {
                    throw WIMArchiveError(file: file, operation: "read \(path)", code: 0,
                                          reason: "it is \(size) bytes, more than the \(limit) read into memory")
                }
                result[path] = try opened.readAll()
            } catch let error as WIMArchiveError {
                throw error
            } catch {
                throw WIMArchiveError(file: file, operation: "read \(path)", code: 0, reason: "\(error)")
            }
        }
        return result
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        let drop = Set(set)
        var s = Substring(self)
        while let c = s.first, drop.contains(c) { s.removeFirst() }
        while let c = s.last, drop.contains(c) { s.removeLast() }
        return String(s)
    }
}
