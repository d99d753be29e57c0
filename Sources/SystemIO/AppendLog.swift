#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file that several processes share by appending whole records under `flock`
/// (mediafs's SHA-1 cache): readers take a shared lock and see only complete
/// appends; a writer takes an exclusive lock and appends with one `write`.
/// A record torn by a crash is the reader's to skip; the next append starts on
/// a line of its own.
public enum AppendLog {
    /// The whole file (empty when it does not exist yet), read under a shared lock.
    public static func read(_ path: String) throws -> [UInt8] {
        let file: OpenFile
        do { file = try OpenFile(path: path) } catch let error as SystemError where error.errno == ENOENT { return [] }
        guard retryOnInterrupt({ flock(file.fd, LOCK_SH) }) == 0 else { throw SystemError("lock", path: path, errno: errno) }
        defer { _ = flock(file.fd, LOCK_UN) }
        return try file.readAll()
    }

    /// Appends `bytes` (whole lines) under an exclusive lock, creating the file and
    /// its folder when needed. A newline is put first when the file does not end
    /// with one (a record torn by a crash stays torn, alone on its line).
    public static func append(_ path: String, bytes: [UInt8]) throws {
        guard !bytes.isEmpty else { return }
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            try FileSystem.createDirectory(String(path[..<slash]), permissions: 0o700)
        }
        let file = try OpenFile(path: path, mode: .readWrite, create: true, permissions: 0o600, extraFlags: O_APPEND)
        guard retryOnInterrupt({ flock(file.fd, LOCK_EX) }) == 0 else { throw SystemError("lock", path: path, errno: errno) }
        defer { _ = flock(file.fd, LOCK_UN) }
        var record = bytes
        let size = try file.status().size
        if size > 0 {
            var last: UInt8 = 0
            let n = try withUnsafeMutableBytes(of: &last) { try file.read(into: $0, at: size - 1) }
            if n == 1 && last != UInt8(ascii: "\n") { record.insert(UInt8(ascii: "\n"), at: 0) }
        }
        try file.write(record)
    }
}
