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

    public init(path: String) throws {
        let fd = retryOnInterrupt { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        guard fd >= 0 else { throw SystemError("open folder", path: path, errno: errno) }
        self.fd = fd
        self.path = path
    }

    deinit { close(fd) }

    /// `stat` of `name` (a relative path) in this folder, following links; nil when nothing is there.
    public func status(_ name: String) throws -> FileStatus? {
        var st = stat()
        guard fstatat(fd, name, &st, 0) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw SystemError("stat", path: path + "/" + name, errno: errno)
        }
        return FileStatus(st)
    }

    /// Reads the whole of the small file `name` into `buffer` (grown as needed, reused
    /// across calls) and returns its length. A short read of a regular file is its end.
    public func readFile(_ name: String, into buffer: inout [UInt8]) throws -> Int {
        let file = retryOnInterrupt { openat(fd, name, O_RDONLY | O_CLOEXEC) }
        guard file >= 0 else { throw SystemError("open", path: path + "/" + name, errno: errno) }
        defer { close(file) }
        var count = 0
        while true {
            if count == buffer.count { buffer.append(contentsOf: repeatElement(0, count: max(4096, buffer.count))) }
            let wanted = buffer.count - count
            let n = buffer.withUnsafeMutableBytes { raw in
                retryOnInterrupt { pread(file, raw.baseAddress! + count, wanted, off_t(count)) }
            }
            guard n >= 0 else { throw SystemError("read", path: path + "/" + name, errno: errno) }
            count += n
            if n < wanted { return count }
        }
    }
}
