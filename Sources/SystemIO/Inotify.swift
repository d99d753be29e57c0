#if canImport(Glibc)
import Glibc
#endif

/// Change notification on folders (inotify): the mount daemon watches the
/// library's PkgLib and DataLib so a new package version shows up live.
public final class FolderWatcher: @unchecked Sendable {
    public let fd: Int32
    private var watched: [Int32: String] = [:]

    public init() throws {
        let fd = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        guard fd >= 0 else { throw SystemError("inotify_init", path: "(inotify)", errno: errno) }
        self.fd = fd
    }

    deinit { close(fd) }

    /// Watches `path` for entries created, deleted, moved in or out, or written.
    public func watch(_ path: String) throws {
        let mask = UInt32(IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM | IN_CLOSE_WRITE | IN_DELETE_SELF | IN_MOVE_SELF)
        let wd = inotify_add_watch(fd, path, mask)
        guard wd >= 0 else { throw SystemError("watch for changes", path: path, errno: errno) }
        watched[wd] = path
    }

    /// Reads and discards pending events; returns the folders that saw one.
    public func drain() -> [String] {
        var seen: [String] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return seen }
            var offset = 0
            buffer.withUnsafeBytes { raw in
                while offset + MemoryLayout<inotify_event>.size <= n {
                    let wd = raw.loadUnaligned(fromByteOffset: offset, as: Int32.self)
                    let length = raw.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self)
                    if let path = watched[wd], !seen.contains(path) { seen.append(path) }
                    offset += MemoryLayout<inotify_event>.size + Int(length)
                }
            }
        }
    }
}

/// Waits until one of `fds` is readable or `timeoutMilliseconds` pass (-1: forever).
/// Returns the descriptors that are readable (empty on timeout).
public func waitReadable(_ fds: [Int32], timeoutMilliseconds: Int32) -> [Int32] {
    var polls = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
    let r = poll(&polls, nfds_t(polls.count), timeoutMilliseconds)
    guard r > 0 else { return [] }
    return polls.filter { $0.revents != 0 }.map(\.fd)
}
