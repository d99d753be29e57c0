#if canImport(Glibc)
import Glibc
#endif

// In-kernel copies from one descriptor to another: the exporter's zero-copy
// paths. Swift's Glibc module does not declare copy_file_range(2) or splice(2)
// (they sit behind _GNU_SOURCE), so they are looked up once in the C library
// and called through their C signatures.

/// How a kernel copy path ended when it could not be used at all.
public enum KernelCopyError: Error, Sendable {
    /// The kernel or the filesystems cannot do this copy (EXDEV, EINVAL, ENOSYS,
    /// EOPNOTSUPP…): the caller falls back to read and write. Nothing was copied.
    case unsupported(errno: Int32)
}

private typealias CopyFileRangeFunction = @convention(c) (
    Int32, UnsafeMutablePointer<off_t>?, Int32, UnsafeMutablePointer<off_t>?, Int, UInt32) -> Int
private typealias SpliceFunction = @convention(c) (
    Int32, UnsafeMutablePointer<off_t>?, Int32, UnsafeMutablePointer<off_t>?, Int, UInt32) -> Int

private func lookUp<T>(_ name: String, as type: T.Type) -> T? {
    guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, name) else { return nil }
    return unsafeBitCast(symbol, to: type)
}

private let copyFileRangeFunction = lookUp("copy_file_range", as: CopyFileRangeFunction.self)
private let spliceFunction = lookUp("splice", as: SpliceFunction.self)

// <fcntl.h>: splice flags.
private let spliceMove: UInt32 = 1
private let spliceMore: UInt32 = 4

/// Errors that mean "this pair of descriptors cannot use this path", not "the
/// disk failed": they send the caller to the read/write fallback.
private func isUnsupported(_ code: Int32) -> Bool {
    code == EXDEV || code == EINVAL || code == ENOSYS || code == EOPNOTSUPP || code == EBADF
}

extension OpenFile {
    /// copy_file_range(2): copies up to `count` bytes of `source` at `sourceOffset`
    /// into this file at `offset`. Returns the count copied (0: the source ended).
    public func copyRange(from source: OpenFile, at sourceOffset: UInt64, to offset: UInt64, count: Int) throws -> Int {
        guard let copy = copyFileRangeFunction else { throw KernelCopyError.unsupported(errno: ENOSYS) }
        var inOffset = off_t(sourceOffset), outOffset = off_t(offset)
        let n = retryOnInterrupt { copy(source.fd, &inOffset, fd, &outOffset, count, 0) }
        return try kernelCopyResult(n)
    }

    /// sendfile(2): copies up to `count` bytes of `source` at `sourceOffset` to this
    /// descriptor at its current position (a pipe, a device, a file). Returns the count.
    public func send(from source: OpenFile, at sourceOffset: UInt64, count: Int) throws -> Int {
        var inOffset = off_t(sourceOffset)
        let n = retryOnInterrupt { sendfile(fd, source.fd, &inOffset, count) }
        return try kernelCopyResult(n)
    }

    /// splice(2) from a file into this descriptor, which must be a pipe. Returns the count.
    public func splice(from source: OpenFile, at sourceOffset: UInt64, count: Int) throws -> Int {
        guard let splice = spliceFunction else { throw KernelCopyError.unsupported(errno: ENOSYS) }
        var inOffset = off_t(sourceOffset)
        let n = retryOnInterrupt { splice(source.fd, &inOffset, fd, nil, count, spliceMove | spliceMore) }
        return try kernelCopyResult(n)
    }

    /// The count a kernel copy call returned, or its error: "unsupported" (the
    /// caller falls back to read/write) or a write error naming this file.
    private func kernelCopyResult(_ n: Int) throws -> Int {
        guard n < 0 else { return n }
        let code = errno
        if isUnsupported(code) { throw KernelCopyError.unsupported(errno: code) }
        throw SystemError("write", path: path, errno: code)
    }

    /// Moves the position of a sequential descriptor (lseek SEEK_SET).
    public func seek(to offset: UInt64) throws {
        guard lseek(fd, off_t(offset), SEEK_SET) >= 0 else { throw SystemError("seek", path: path, errno: errno) }
    }
}
