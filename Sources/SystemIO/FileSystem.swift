#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct FileStatus: Sendable, Equatable {
    public enum Kind: Sendable { case regular, directory, symlink, blockDevice, characterDevice, fifo, socket, other }
    public let kind: Kind
    public let size: UInt64
    public let modified: (seconds: Int64, nanoseconds: Int64)
    public let inode: UInt64
    public let device: UInt64
    public let linkCount: UInt64
    public let mode: UInt32

    init(_ st: stat) {
        switch st.st_mode & S_IFMT {
        case S_IFREG: kind = .regular
        case S_IFDIR: kind = .directory
        case S_IFLNK: kind = .symlink
        case S_IFBLK: kind = .blockDevice
        case S_IFCHR: kind = .characterDevice
        case S_IFIFO: kind = .fifo
        case S_IFSOCK: kind = .socket
        default: kind = .other
        }
        size = UInt64(max(0, st.st_size))
        modified = (Int64(st.st_mtim.tv_sec), Int64(st.st_mtim.tv_nsec))
        inode = UInt64(st.st_ino)
        device = UInt64(st.st_dev)
        linkCount = UInt64(st.st_nlink)
        mode = UInt32(st.st_mode)
    }

    public static func == (a: FileStatus, b: FileStatus) -> Bool {
        a.kind == b.kind && a.size == b.size && a.modified == b.modified && a.inode == b.inode && a.device == b.device
    }
}

/// Path-level operations. Each throws a `SystemError` naming the path.
public enum FileSystem {
    /// `stat` (follows links), or nil when nothing is at `path`.
    public static func status(_ path: String, followLinks: Bool = true) throws -> FileStatus? {
        var st = stat()
        let r = followLinks ? stat(path, &st) : lstat(path, &st)
        if r != 0 {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw SystemError("stat", path: path, errno: errno)
        }
        return FileStatus(st)
    }

    public static func exists(_ path: String) -> Bool {
        if case .some(.some) = try? status(path) { return true }
        return false
    }

    public static func isDirectory(_ path: String) -> Bool {
        (try? status(path))??.kind == .directory
    }

    public struct DirectoryEntry: Sendable {
        public let name: String
        public let kind: FileStatus.Kind
    }

    /// The entries of a folder, without `.` and `..`, in no particular order.
    /// A name that is not valid UTF-8 is an error naming the folder.
    public static func listDirectory(_ path: String) throws -> [DirectoryEntry] {
        guard let dir = opendir(path) else { throw SystemError("open folder", path: path, errno: errno) }
        defer { closedir(dir) }
        return try readEntries(dir, path: path) { name in
            (try status(path + "/" + name, followLinks: false))?.kind ?? .other
        }
    }

    /// The entries of an open folder stream; `kindOf` answers for a file system
    /// that does not give the kind in the entry (DT_UNKNOWN).
    static func readEntries(_ dir: OpaquePointer, path: String,
                            kindOf: (String) throws -> FileStatus.Kind) throws -> [DirectoryEntry] {
        var entries: [DirectoryEntry] = []
        while true {
            errno = 0
            guard let ent = readdir(dir) else {
                if errno != 0 { throw SystemError("read folder", path: path, errno: errno) }
                return entries
            }
            // Validated in place: no copies (a DataLib folder lists 100,000 names).
            // Through a pointer to the entry's own bytes, up to its NUL: copying the
            // 256-byte d_name would read past a short last entry of the kernel's buffer.
            let name: String? = withUnsafeMutablePointer(to: &ent.pointee.d_name) { field in
                let start = UnsafeRawPointer(field)
                return String(validating: UnsafeRawBufferPointer(start: start, count: strlen(start.assumingMemoryBound(to: CChar.self))),
                              as: UTF8.self)
            }
            guard let name else { throw SystemError("read folder (a name is not UTF-8)", path: path, errno: EILSEQ) }
            if name == "." || name == ".." { continue }
            let kind: FileStatus.Kind
            switch Int32(ent.pointee.d_type) {
            case Int32(DT_REG): kind = .regular
            case Int32(DT_DIR): kind = .directory
            case Int32(DT_LNK): kind = .symlink
            case Int32(DT_UNKNOWN): kind = try kindOf(name)
            default: kind = .other
            }
            entries.append(DirectoryEntry(name: name, kind: kind))
        }
    }

    public static func readFile(_ path: String) throws -> [UInt8] {
        try OpenFile(path: path).readAll()
    }

    /// Creates a folder and its missing parents.
    public static func createDirectory(_ path: String, permissions: UInt32 = 0o755) throws {
        if isDirectory(path) { return }
        var prefix = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            prefix += "/" + part
            if mkdir(prefix, mode_t(permissions)) != 0 && errno != EEXIST {
                throw SystemError("create folder", path: prefix, errno: errno)
            }
        }
        guard isDirectory(path) else { throw SystemError("create folder", path: path, errno: ENOTDIR) }
    }

    public static func rename(_ from: String, to: String) throws {
        guard Glibc.rename(from, to) == 0 else { throw SystemError("rename to \(to)", path: from, errno: errno) }
    }

    public static func remove(_ path: String) throws {
        guard unlink(path) == 0 || errno == ENOENT else { throw SystemError("remove", path: path, errno: errno) }
    }

    /// fsync of a folder, so a rename inside it is durable.
    public static func syncDirectory(_ path: String) throws {
        let f = try OpenFile(path: path, extraFlags: O_DIRECTORY)
        try f.sync()
    }

    /// Writes `bytes` to `path` atomically: a temporary file beside it, fsync, rename.
    /// A reader sees the old file or the new one, never half of either.
    public static func writeAtomically(_ path: String, bytes: [UInt8], sync: Bool = true) throws {
        let temporary = temporaryName(beside: path)
        do {
            let f = try OpenFile(path: temporary, mode: .write, create: true, exclusive: true)
            try f.write(bytes)
            if sync { try f.sync() }
            try rename(temporary, to: path)
        } catch {
            try? remove(temporary)
            throw error
        }
    }

    /// A name in the same folder as `path` for a file being written, unique to this process.
    public static func temporaryName(beside path: String) -> String {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[...$0]) } ?? ""
        let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
        nextTemporary.withLock { $0 += 1 }
        let n = nextTemporary.withLock { $0 }
        return "\(folder).\(base).mediafs-\(getpid())-\(n).tmp"
    }

    /// The process's current folder.
    public static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return "." }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `path` made absolute against the current folder (no links resolved).
    public static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : currentDirectory() + "/" + path
    }

    public static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}

/// `path` cut at its last "/": the folder ("" when there is none) and the name.
/// The one way paths are split; by UTF-8 byte, not by Character (a package of
/// 100,000 files splits 100,000, and a Character search was a third of that).
public func splitPath(_ path: String) -> (folder: String, name: String) {
    let utf8 = path.utf8
    guard let slash = utf8.lastIndex(of: UInt8(ascii: "/")) else { return ("", path) }
    return (String(decoding: utf8[..<slash], as: UTF8.self),
            String(decoding: utf8[utf8.index(after: slash)...], as: UTF8.self))
}

/// `folder/name` (or `name` in the top folder), made in one allocation: the
/// one way paths are joined (a package of 100,000 files joins 100,000).
public func joinedPath(_ folder: String, _ name: String) -> String {
    if folder.isEmpty { return name }
    var folder = folder
    var name = name
    return folder.withUTF8 { f in
        name.withUTF8 { n in
            String(unsafeUninitializedCapacity: f.count + 1 + n.count) { out in
                _ = UnsafeMutableBufferPointer(rebasing: out[0..<f.count]).initialize(from: f)
                out[f.count] = UInt8(ascii: "/")
                _ = UnsafeMutableBufferPointer(rebasing: out[(f.count + 1)...]).initialize(from: n)
                return f.count + 1 + n.count
            }
        }
    }
}

import Synchronization
private let nextTemporary = Mutex<Int>(0)
