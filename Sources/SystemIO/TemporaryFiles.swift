#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension FileSystem {
    /// Creates a new private folder (mode 0700) named `prefix` + 6 random characters,
    /// in `/dev/shm` when it is a writable folder (memory, not disk), else in
    /// `$TMPDIR` or `/tmp`. The caller removes it (`removeTree`).
    public static func makeTemporaryDirectory(prefix: String) throws -> String {
        var bases: [String] = []
        if access("/dev/shm", W_OK | X_OK) == 0 && isDirectory("/dev/shm") { bases.append("/dev/shm") }
        bases.append(environment("TMPDIR").flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp")
        var lastError = SystemError("create temporary folder", path: prefix, errno: ENOENT)
        for base in bases {
            var template = Array((base + "/" + prefix + "XXXXXX").utf8CString)
            let made = template.withUnsafeMutableBufferPointer { buffer -> Bool in
                guard let start = buffer.baseAddress else { return false }
                return mkdtemp(start) != nil
            }
            if made { return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self) }
            lastError = SystemError("create temporary folder", path: base + "/" + prefix + "XXXXXX", errno: errno)
        }
        throw lastError
    }
}
