#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// syncfs(2) is declared by glibc only under _GNU_SOURCE, which the Glibc module
// does not set; it takes and returns plain C ints, so binding the symbol directly is safe.
@_silgen_name("syncfs")
private func c_syncfs(_ fd: Int32) -> Int32

extension FileSystem {
    /// Flushes every file of the filesystem holding `path` to disk (syncfs).
    ///
    /// One call makes a whole batch of newly written files durable, where an fsync
    /// per file would cost a disk flush each: writers use it as an ordering barrier
    /// ("everything before is on disk before anything after is published").
    public static func syncFileSystem(containing path: String) throws {
        let f = try OpenFile(path: path, extraFlags: O_DIRECTORY)
        guard c_syncfs(f.fd) == 0 else { throw SystemError("syncfs", path: path, errno: errno) }
    }
}
