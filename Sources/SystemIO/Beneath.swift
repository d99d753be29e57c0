import CSystemCalls
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Opening paths inside a folder — a content library — so that none leads out
/// of it: a library is often a copy taken from elsewhere, and a blob replaced
/// by a symbolic link to a file outside (or a linked `FileLib/<4>` or
/// `DataLib/<ContentID>` folder) must not make mediafs read that file.
///
/// mediafs's choice: no symbolic link is followed inside a root at all, even
/// one that stays inside (a distribution point's library holds none, and a
/// link that stays inside today can be changed to lead out tomorrow). The
/// root's own path may go through links. `..` never climbs above the root.
///
/// Through openat2(2) with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
/// RESOLVE_NO_MAGICLINKS; where the kernel has no openat2 (ENOSYS, before
/// Linux 5.6), a walk that opens one component at a time with O_NOFOLLOW.
public enum Beneath {
    /// Set once the kernel answered ENOSYS to openat2 (or a test forces the walk).
    static let useWalk = Atomic<Bool>(false)

    /// Makes every later open take the component walk (tests of the fallback).
    public static func forceComponentWalk(_ on: Bool) { useWalk.store(on, ordering: .relaxed) }

    /// Opens `relative` (a "/"-separated path, "" or "." for the folder itself)
    /// beneath the open folder `dirfd` with `flags`; returns the descriptor or
    /// a `SystemError` naming `display`. `root` is the path of the root folder
    /// (to tell a link that leads out from one that stays in, in the message).
    static func open(_ relative: String, in dirfd: Int32, flags: Int32, display: String, root: String,
                     operation: String) throws -> Int32 {
        let path = relative.isEmpty ? "." : relative
        let flags = flags | O_CLOEXEC
        var fd: Int32 = -1
        var error: Int32 = 0
        if !useWalk.load(ordering: .relaxed) {
            let resolve = mediafs_resolve_beneath | mediafs_resolve_no_symlinks | mediafs_resolve_no_magiclinks
            for _ in 0..<16 {
                fd = mediafs_openat2(dirfd, path, UInt64(UInt32(bitPattern: flags)), resolve)
                error = fd < 0 ? errno : 0
                // EAGAIN: a rename raced the lookup (RESOLVE_BENEATH checks for it); EINTR: a signal.
                if fd < 0 && (error == EAGAIN || error == EINTR) { continue }
                break
            }
            if fd < 0 && error == ENOSYS {
                useWalk.store(true, ordering: .relaxed)
            }
        }
        if useWalk.load(ordering: .relaxed) {
            (fd, error) = walk(path, in: dirfd, flags: flags)
        }
        guard fd >= 0 else {
            if error == ELOOP || error == EXDEV { throw refusal(display: display, root: root, errno: error) }
            throw SystemError(operation, path: display, errno: error)
        }
        return fd
    }

    /// The fallback: each folder of the path opened with O_NOFOLLOW (after an
    /// lstat, so a link is ELOOP whatever the flags), the last with `flags | O_NOFOLLOW`.
    static func walk(_ relative: String, in dirfd: Int32, flags: Int32) -> (fd: Int32, errno: Int32) {
        let parts = relative.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        if parts.isEmpty {
            let fd = retryOnInterrupt { openat(dirfd, ".", flags) }
            return (fd, fd < 0 ? errno : 0)
        }
        var current = dirfd
        defer { if current != dirfd { close(current) } }
        for (i, part) in parts.enumerated() {
            if part == ".." { return (-1, EXDEV) }
            let name = String(part)
            let last = i == parts.count - 1
            // A link is refused before it is opened (O_PATH|O_NOFOLLOW would open the link itself).
            var st = stat()
            if fstatat(current, name, &st, AT_SYMLINK_NOFOLLOW) != 0 { return (-1, errno) }
            if st.st_mode & S_IFMT == S_IFLNK { return (-1, ELOOP) }
            let next = retryOnInterrupt {
                openat(current, name, last ? flags | O_NOFOLLOW : mediafs_o_path | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                // (a last component that became a link since the lstat: O_NOFOLLOW
                // makes it ELOOP, or with O_PATH the link itself, which is no regular file)
            }
            if next < 0 { return (-1, errno) }
            if current != dirfd { close(current) }
            current = next
        }
        let result = current
        current = dirfd  // handed to the caller, not closed
        return (result, 0)
    }

    /// A path refused: a symbolic link (ELOOP) or `..` (EXDEV) on the way. The
    /// message says whether it leads outside the root (the realpath of each).
    static func refusal(display: String, root: String, errno: Int32) -> SystemError {
        if errno == EXDEV {
            return SystemError("open", path: display, errno: errno,
                               detail: "leads outside the library ('..' climbs above it)")
        }
        func real(_ p: String) -> String? {
            guard let resolved = realpath(p, nil) else { return nil }
            defer { free(resolved) }
            return String(cString: resolved)
        }
        if let target = real(display), let rootReal = real(root),
           target == rootReal || target.hasPrefix(rootReal == "/" ? "/" : rootReal + "/") {
            return SystemError("open", path: display, errno: errno,
                               detail: "is or goes through a symbolic link (it stays inside the library, but mediafs follows no link in a library)")
        }
        return SystemError("open", path: display, errno: errno, detail: "leads outside the library (symbolic link)")
    }

    /// `path` relative to `root`, both absolute; nil when `path` is not inside `root`.
    static func relative(_ path: String, to root: String) -> String? {
        if path == root { return "" }
        let prefix = root.hasSuffix("/") ? root : root + "/"
        guard path.hasPrefix(prefix) else { return nil }
        return String(path.dropFirst(prefix.count))
    }

    /// Opens `root` itself (following links on its own path: the user named it).
    static func openRoot(_ root: String) throws -> Int32 {
        let fd = retryOnInterrupt { Glibc.open(root, mediafs_o_path | O_DIRECTORY | O_CLOEXEC) }
        guard fd >= 0 else { throw SystemError("open folder", path: root, errno: errno) }
        return fd
    }

    /// Opens `path` (absolute, inside `root`) beneath `root` with `flags`.
    static func open(_ path: String, root: String, flags: Int32, operation: String) throws -> Int32 {
        guard let relative = relative(path, to: root) else {
            throw SystemError(operation, path: path, errno: EXDEV, detail: "is not inside the library \(root)")
        }
        let rootFD = try openRoot(root)
        defer { close(rootFD) }
        return try open(relative, in: rootFD, flags: flags, display: path, root: root, operation: operation)
    }

    /// Checks an open descriptor is a regular file; closes it and throws when not.
    static func requireRegular(_ fd: Int32, path: String) throws {
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let e = errno
            close(fd)
            throw SystemError("stat", path: path, errno: e)
        }
        let status = FileStatus(st)
        guard status.kind == .regular else {
            close(fd)
            throw SystemError("open", path: path, errno: EINVAL, detail: "is \(status.kind.article), not a regular file")
        }
    }

    /// Opens a regular file for reading. O_NONBLOCK so that a FIFO put in the
    /// library does not hang the open; cleared once the file is known to be regular.
    static func openRegularFile(_ relative: String, in dirfd: Int32, display: String, root: String) throws -> Int32 {
        let fd = try open(relative, in: dirfd, flags: O_RDONLY | O_NONBLOCK, display: display, root: root, operation: "open")
        try requireRegular(fd, path: display)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        return fd
    }
}

extension OpenFile {
    /// Opens the regular file `path` (absolute, inside the folder `root`) for
    /// reading without leaving `root`: no symbolic link is followed and `..`
    /// does not climb out (`Beneath`). A refusal names `path`.
    public convenience init(path: String, beneath root: String) throws {
        guard let relative = Beneath.relative(path, to: root) else {
            throw SystemError("open", path: path, errno: EXDEV, detail: "is not inside the library \(root)")
        }
        let rootFD = try Beneath.openRoot(root)
        defer { close(rootFD) }
        let fd = try Beneath.openRegularFile(relative, in: rootFD, display: path, root: root)
        self.init(owning: fd, path: path)
    }
}

extension OpenDirectory {
    /// Opens the folder `path` (absolute, inside `root`, or `root` itself)
    /// without leaving `root`. Everything opened through it stays beneath it.
    public convenience init(path: String, beneath root: String) throws {
        let fd = try Beneath.open(path, root: root, flags: O_RDONLY | O_DIRECTORY, operation: "open folder")
        self.init(owning: fd, path: path, root: root)
    }

    /// Opens the sub-folder `relative` of this folder, without leaving it.
    public func openDirectory(_ relative: String) throws -> OpenDirectory {
        let display = path + "/" + relative
        let fd = try Beneath.open(relative, in: fd, flags: O_RDONLY | O_DIRECTORY, display: display,
                                  root: root ?? path, operation: "open folder")
        return OpenDirectory(owning: fd, path: display, root: root ?? path)
    }

    /// Opens the regular file `relative` of this folder for reading, without leaving it.
    public func openFile(_ relative: String) throws -> OpenFile {
        let display = path + "/" + relative
        let fd = try Beneath.openRegularFile(relative, in: fd, display: display, root: root ?? path)
        return OpenFile(owning: fd, path: display)
    }

    /// `stat` of `relative` in this folder, without leaving it; nil when nothing
    /// is there. A symbolic link on the way, or `relative` itself a link, is
    /// refused (an error naming it), not reported as a link.
    public func statusBeneath(_ relative: String) throws -> FileStatus? {
        let display = path + "/" + relative
        let file: Int32
        do {
            file = try Beneath.open(relative, in: fd, flags: mediafs_o_path, display: display, root: root ?? path, operation: "stat")
        } catch let error as SystemError where error.isNotFound {
            return nil
        }
        defer { close(file) }
        var st = stat()
        guard fstat(file, &st) == 0 else { throw SystemError("stat", path: display, errno: errno) }
        return FileStatus(st)
    }

    /// `stat` of `folder/name` (`folder` one name of this folder) without leaving
    /// it, as `statusBeneath` answers, in one system call where that takes three,
    /// when the caller knows `folder` to be a real folder, not a link (from a
    /// listing of this folder): `folder/name` is stat'ed without following a
    /// link at its end. Anything else (a link, or `folderIsReal` false) goes
    /// through `statusBeneath`, for its verdict and its message. (A folder
    /// swapped for a link since the listing could make this stat a file outside:
    /// metadata only — every read opens through `Beneath`.)
    public func statusBeneath(folder: String, name: String, folderIsReal: Bool) throws -> FileStatus? {
        let relative = folder + "/" + name
        guard folderIsReal, let st = try status(relative, followLinks: false), st.kind != .symlink else {
            return try statusBeneath(relative)
        }
        return st
    }

    /// The whole of the small regular file `relative` of this folder (an INI file).
    public func readFile(_ relative: String) throws -> [UInt8] {
        try openFile(relative).readAll()
    }
}

extension FileStatus.Kind {
    /// "a symbolic link", "a folder", … for messages.
    public var article: String {
        switch self {
        case .regular: return "a regular file"
        case .directory: return "a folder"
        case .symlink: return "a symbolic link"
        case .blockDevice: return "a block device"
        case .characterDevice: return "a character device"
        case .fifo: return "a FIFO"
        case .socket: return "a socket"
        case .other: return "a special file"
        }
    }
}
