#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open file descriptor that closes itself when the last reference goes.
///
/// A class so that a cache can hand out the same open file to many readers and
/// evict it without closing it under a reader that still holds it.
public final class OpenFile: @unchecked Sendable {
    public let fd: Int32
    public let path: String

    public enum Mode: Sendable { case read, write, readWrite }

    /// Opens `path`. `create` makes a new file with `permissions` (O_CREAT|O_EXCL when `exclusive`).
    public init(path: String, mode: Mode = .read, create: Bool = false, exclusive: Bool = false,
                truncate: Bool = false, permissions: UInt32 = 0o644, extraFlags: Int32 = 0) throws {
        var flags: Int32 = O_CLOEXEC | extraFlags
        switch mode {
        case .read: flags |= O_RDONLY
        case .write: flags |= O_WRONLY
        case .readWrite: flags |= O_RDWR
        }
        if create { flags |= O_CREAT }
        if exclusive { flags |= O_EXCL }
        if truncate { flags |= O_TRUNC }
        let fd = retryOnInterrupt { open(path, flags, permissions) }
        guard fd >= 0 else { throw SystemError("open", path: path, errno: errno) }
        self.fd = fd
        self.path = path
    }

    /// Takes a descriptor this module opened; it is closed with the object.
    init(owning fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    /// Wraps a descriptor this process already has (stdin, stdout); it is not closed.
    public init(borrowing fd: Int32, name: String) {
        self.fd = fd
        self.path = name
        self.owned = false
    }

    private var owned = true

    deinit {
        if owned { close(fd) }
    }

    /// Reads up to `buffer.count` bytes at `offset`; returns the count read (0 at end of file).
    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        let n = retryOnInterrupt { pread(fd, base, buffer.count, off_t(offset)) }
        guard n >= 0 else { throw SystemError("read", path: path, errno: errno) }
        return n
    }

    /// Fills `buffer` from `offset`, or throws if the file ends first (a short file is an error).
    public func readExactly(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws {
        var done = 0
        while done < buffer.count {
            let part = UnsafeMutableRawBufferPointer(rebasing: buffer[done...])
            let n = try read(into: part, at: offset + UInt64(done))
            if n == 0 { throw SystemError("read", path: path, errno: EIO) }
            done += n
        }
    }

    /// Reads sequentially (pipes, standard input).
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        let n = retryOnInterrupt { Glibc.read(fd, base, buffer.count) }
        guard n >= 0 else { throw SystemError("read", path: path, errno: errno) }
        return n
    }

    /// Writes all of `buffer` at `offset`.
    public func write(_ buffer: UnsafeRawBufferPointer, at offset: UInt64) throws {
        var done = 0
        while done < buffer.count {
            let n = retryOnInterrupt { pwrite(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + UInt64(done))) }
            guard n > 0 else { throw SystemError("write", path: path, errno: n < 0 ? errno : EIO) }
            done += n
        }
    }

    /// Writes all of `buffer` at the current position (pipes, standard output).
    public func write(_ buffer: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < buffer.count {
            let n = retryOnInterrupt { Glibc.write(fd, buffer.baseAddress! + done, buffer.count - done) }
            guard n > 0 else { throw SystemError("write", path: path, errno: n < 0 ? errno : EIO) }
            done += n
        }
    }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    public func status() throws -> FileStatus {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw SystemError("stat", path: path, errno: errno) }
        return FileStatus(st)
    }

    public func truncate(to size: UInt64) throws {
        guard ftruncate(fd, off_t(size)) == 0 else { throw SystemError("truncate", path: path, errno: errno) }
    }

    public func sync() throws {
        guard fsync(fd) == 0 else { throw SystemError("fsync", path: path, errno: errno) }
    }

    /// The whole file, for small metadata files (INI files, specs).
    public func readAll() throws -> [UInt8] {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var offset: UInt64 = 0
        while true {
            let n = try chunk.withUnsafeMutableBytes { try read(into: $0, at: offset) }
            if n == 0 { return result }
            result.append(contentsOf: chunk[0..<n])
            offset += UInt64(n)
        }
    }
}

@inline(__always)
func retryOnInterrupt<T: BinaryInteger>(_ call: () -> T) -> T {
    while true {
        let r = call()
        if r < 0 && errno == EINTR { continue }
        return r
    }
}
