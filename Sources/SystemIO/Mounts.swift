#if canImport(Glibc)
import Glibc
#endif

/// The mount table, as the kernel reports it in /proc/self/mountinfo.
public enum Mounts {
    public struct Entry: Sendable {
        public let mountPoint: String
        public let fileSystemType: String
        public let source: String
    }

    public static func current() throws -> [Entry] {
        let text = String(decoding: try FileSystem.readFile("/proc/self/mountinfo"), as: UTF8.self)
        return text.split(separator: "\n").compactMap { line -> Entry? in
            // id parent major:minor root mountpoint options [optional…] - fstype source superoptions
            let fields = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            guard fields.count > 6, let dash = fields.firstIndex(of: "-"), dash + 2 < fields.count else { return nil }
            return Entry(mountPoint: unescape(fields[4]), fileSystemType: fields[dash + 1], source: unescape(fields[dash + 2]))
        }
    }

    /// The entry mounted exactly at `path` (absolute, no trailing slash), if any.
    public static func entry(at path: String) throws -> Entry? {
        try current().last { $0.mountPoint == path }
    }

    /// mountinfo escapes space, tab, newline and backslash as \ooo.
    static func unescape(_ s: String) -> String {
        guard s.contains("\\") else { return s }
        var out: [UInt8] = []
        let b = Array(s.utf8)
        var i = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "\\"), i + 3 < b.count,
               let v = UInt8(String(decoding: b[(i + 1)...(i + 3)], as: UTF8.self), radix: 8) {
                out.append(v); i += 4
            } else { out.append(b[i]); i += 1 }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
