#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive advisory lock (`flock`) on a lock file, held until the object goes.
///
/// flock rather than fcntl locks: it belongs to the open file, not the process, so two
/// writers in one process exclude each other too, and the kernel drops it when the
/// holder dies (no stale lock after a crash).
public final class FileLock: @unchecked Sendable {
    public let path: String
    private let file: OpenFile

    /// Creates `path` if needed and waits until the exclusive lock is ours.
    public init(exclusive path: String) throws {
        self.path = path
        file = try OpenFile(path: path, mode: .readWrite, create: true, permissions: 0o644)
        let r = retryOnInterrupt { flock(file.fd, LOCK_EX) }
        guard r == 0 else { throw SystemError("lock", path: path, errno: errno) }
    }

    deinit {
        _ = flock(file.fd, LOCK_UN)
    }
}
