#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open folder, to open and stat names inside it (openat, fstatat) without the
/// kernel walking the whole path again for each: what makes reading a tree of
/// 100,000 small files (a content library's DataLib) cheap.
public final class OpenDirectory: @unchecked Sendable {
    public let fd: Int32
    public let path: String
    /// The folder nothing opened through this one may leave (`Beneath`), when
    /// it was opened beneath one.
    public let root: String?

    public init(path: String) throws {
        let fd = retryOnInterrupt { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        guard fd >= 0 else { throw SystemError("open folder", path: path, errno: errno) }
        self.fd = fd
        self.path = path
        self.root = nil
    }

    init(owning fd: Int32, path: String, root: String?) {
        self.fd = fd
        self.path = path
        self.root = root
    }

    deinit { close(fd) }

    /// The entries of this folder, without `.` and `..`, in no particular order
    /// (`FileSystem.listDirectory`'s rules).
    public func list() throws -> [FileSystem.DirectoryEntry] {
        let copy = dup(fd)
        guard copy >= 0 else { throw SystemError("open folder", path: path, errno: errno) }
        guard let dir = fdopendir(copy) else {
            let e = errno
            close(copy)
            throw SystemError("open folder", path: path, errno: e)
        }
        defer { closedir(dir) }
        return try FileSystem.readEntries(dir, path: path) { name in
            var st = stat()
            guard fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else {
                throw SystemError("stat", path: path + "/" + name, errno: errno)
            }
            return FileStatus(st).kind
        }
    }

    /// `stat` of `name` (a relative path) in this folder; nil when nothing is there.
    /// `followLinks: false` does not follow a link that `name` itself is
    /// (links in the folders before it are followed either way).
    public func status(_ name: String, followLinks: Bool = true) throws -> FileStatus? {
        var st = stat()
        guard fstatat(fd, name, &st, followLinks ? 0 : AT_SYMLINK_NOFOLLOW) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw SystemError("stat", path: path + "/" + name, errno: errno)
        }
        return FileStatus(st)
    }

    /// Reads the whole of the small file `name` into `buffer` (grown as needed, reused
    /// across calls) and returns its length. A short read of a regular file is its end.
    /// `name` is one name of this folder: a symbolic link there is refused, not followed.
    /// A file longer than `limit` bytes is an error (and is not read to its end).
    public func readFile(_ name: String, into buffer: inout [UInt8], limit: Int = 1 << 20) throws -> Int {
        let file = retryOnInterrupt { openat(fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK) }
        guard file >= 0 else {
            let e = errno
            if e == ELOOP { throw Beneath.refusal(display: path + "/" + name, root: root ?? path, errno: e) }
            throw SystemError("open", path: path + "/" + name, errno: e)
        }
        // No fstat: the caller's listing found a regular file by this name (and
        // refused anything else). One swapped since is still harmless: opened
        // O_NOFOLLOW (a link: ELOOP) and O_NONBLOCK (a FIFO opens at once), pread
        // fails on a folder (EISDIR), FIFO, socket or terminal (ESPIPE), and a
        // device gives at most `limit` bytes to parse — text, never bytes served.
        // So reading a package's INI files costs 3 system calls each, not 4.
        defer { close(file) }
        var count = 0
        while true {
            if count == buffer.count { buffer.append(contentsOf: repeatElement(0, count: max(4096, buffer.count))) }
            let wanted = buffer.count - count
            let n = buffer.withUnsafeMutableBytes { raw in
                retryOnInterrupt { pread(file, raw.baseAddress! + count, wanted, off_t(count)) }
            }
            guard n >= 0 else {
                let e = errno
                if e == EISDIR || e == ESPIPE {
                    throw SystemError("read", path: path + "/" + name, errno: e, detail: "is not a regular file")
                }
                throw SystemError("read", path: path + "/" + name, errno: e)
            }
            count += n
            guard count <= limit else {
                throw SystemError("read", path: path + "/" + name, errno: EFBIG, detail: "is longer than \(limit) bytes")
            }
            if n < wanted { return count }
        }
    }
}
