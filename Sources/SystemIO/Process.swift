#if canImport(Glibc)
import Glibc
#endif

/// Starting other programs (posix_spawn, never a bare fork: a Swift process may
/// already run threads), pipes between processes, and detaching a daemon.
public enum ProcessControl {
    /// A pipe; both ends close on exec unless `inheritWriteEnd`.
    public static func makePipe(inheritWriteEnd: Bool = false) throws -> (read: PipeEnd, write: PipeEnd) {
        var fds: [Int32] = [0, 0]
        // pipe2 is not visible from Swift's Glibc module; the flags are set right after.
        guard pipe(&fds) == 0 else { throw SystemError("pipe", path: "(pipe)", errno: errno) }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, inheritWriteEnd ? 0 : FD_CLOEXEC)
        return (PipeEnd(fd: fds[0]), PipeEnd(fd: fds[1]))
    }

    /// This program's own executable.
    public static func executablePath() throws -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { throw SystemError("readlink", path: "/proc/self/exe", errno: errno) }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Starts `path` with `arguments` (argv[0] included). Standard input comes from
    /// /dev/null; standard output and error are shared. `newSession` detaches it
    /// from the terminal (setsid). Descriptors without close-on-exec are inherited.
    public static func spawn(_ path: String, arguments: [String], newSession: Bool = false) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // glibc's POSIX_SPAWN_SETSID (0x80), not exported to Swift: setsid() in the child.
        if newSession { posix_spawnattr_setflags(&attributes, 0x80) }

        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let r = posix_spawn(&pid, path, &actions, &attributes, &argv, environ)
        guard r == 0 else { throw SystemError("start", path: path, errno: r) }
        return pid
    }

    /// Waits for `pid`; its exit status (128+N when killed by signal N).
    public static func wait(_ pid: pid_t) throws -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { throw SystemError("wait", path: "process \(pid)", errno: errno) }
        }
        if status & 0x7f == 0 { return (status >> 8) & 0xff }
        return 128 + (status & 0x7f)
    }

    /// Runs a program to completion; its exit status. `path` is looked up in PATH when it has no slash.
    public static func run(_ program: String, _ arguments: [String]) throws -> Int32 {
        let path = program.contains("/") ? program : try findInPath(program)
        return try wait(spawn(path, arguments: [program] + arguments))
    }

    public static func findInPath(_ program: String) throws -> String {
        let search = FileSystem.environment("PATH") ?? "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"
        for folder in search.split(separator: ":") {
            let candidate = String(folder) + "/" + program
            if access(candidate, X_OK) == 0 { return candidate }
        }
        throw SystemError("find in PATH", path: program, errno: ENOENT)
    }

    /// Points standard input, output and error at /dev/null (a daemon that has
    /// reported it is ready lets go of its parent's terminal and pipes).
    public static func detachStandardStreams() {
        let null = open("/dev/null", O_RDWR)
        guard null >= 0 else { return }
        dup2(null, 0); dup2(null, 1); dup2(null, 2)
        if null > 2 { close(null) }
    }

    public static var processID: Int32 { getpid() }
}

/// One end of a pipe (or an inherited descriptor number), closed on deinit.
public final class PipeEnd: @unchecked Sendable {
    public let fd: Int32
    public init(fd: Int32) { self.fd = fd }
    deinit { close(fd) }

    public func write(_ bytes: [UInt8]) {
        var done = 0
        while done < bytes.count {
            let n = bytes[done...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            done += n
        }
    }

    /// Everything until end of file (or `limit` bytes).
    public func readToEnd(limit: Int = 64 * 1024) -> [UInt8] {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while result.count < limit {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            result += chunk[0..<n]
        }
        return result
    }
}
