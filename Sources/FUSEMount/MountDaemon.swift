import CFuse3
import Glibc
import Logging
import RegionMap
import SystemIO

/// How to mount.
public struct MountOptions: Sendable {
    public var mountPoint: String
    public var view: MountViewKind
    /// `-o` options given by the user (`allow_other`, …), passed to the kernel mount.
    public var fuseOptions: [String]
    /// libfuse's request tracing (`-o debug`).
    public var debug: Bool
    /// Worker threads of the session loop at most.
    public var maxThreads: Int
    /// Largest read/write request (max_read = max_write, which sets max_pages).
    /// See `MountDaemon.defaultMaxRequest` for why it is not exactly 1 MiB.
    public var maxRequest: Int

    public init(mountPoint: String, view: MountViewKind, fuseOptions: [String] = [], debug: Bool = false,
                maxThreads: Int = 16, maxRequest: Int = MountDaemon.defaultMaxRequest) {
        self.mountPoint = mountPoint
        self.view = view
        self.fuseOptions = fuseOptions
        self.debug = debug
        self.maxThreads = maxThreads
        self.maxRequest = maxRequest
    }
}

public enum MountError: Error, CustomStringConvertible {
    case session(String)
    case mount(String)

    public var description: String {
        switch self {
        case .session(let why): return "cannot start the FUSE session: \(why)"
        case .mount(let path): return "\(path): cannot mount here (is it an existing, empty folder, and is /dev/fuse usable?)"
        }
    }
}

/// A mount: loads the first build, mounts it, serves requests on libfuse's
/// multi-threaded loop until unmounted or signalled (SIGTERM/SIGINT), and
/// swaps in new builds when the library changes (inotify) or on SIGHUP.
public final class MountDaemon: @unchecked Sendable {
    /// 1 MiB minus 32 KiB. libfuse splices a read reply through a per-thread
    /// pipe only if the pipe can hold `pagesize * (parts + 2) + 16 + length`
    /// bytes, and a pipe stops at /proc/sys/fs/pipe-max-size (1 MiB) without
    /// CAP_SYS_RESOURCE (F_SETPIPE_SZ gets EPERM). A full 1 MiB request never
    /// fits, so libfuse quietly falls back to pread into its buffer + writev:
    /// two copies instead of none. That is why `dd bs=1M`/`bs=4M` (1 MiB
    /// requests) was slower than `cat` (128 KiB requests) on passthrough_ll.
    /// 992 KiB leaves room for the header and up to 6 parts (an image reply
    /// mixing blob ranges and memory), so every such reply is spliced.
    public static let defaultMaxRequest = 1024 * 1024 - 32 * 1024

    let source: any MountSource
    let options: MountOptions
    let logger: Logger
    let fileSystem: MediaFileSystem
    private var builder = ViewBuilder()
    /// Warnings already logged.
    private let warned = Mutex<Set<String>>([])
    /// The session's address (0: none) while it may be notified: `invalidate`
    /// (the watcher thread) notifies under the lock, and `run` clears it before
    /// it unmounts and destroys the session, so a reload that coincides with
    /// the end of the mount never notifies a destroyed session.
    private let session = Mutex<UInt>(0)

    /// Loads the first build (errors in the spec or library surface here, before anything is mounted).
    public init(source: any MountSource, options: MountOptions, logger: Logger, blobCacheSize: Int = 256) throws {
        self.source = source
        self.options = options
        self.logger = logger
        var builder = ViewBuilder()
        // The build (library snapshot, media tree) is dropped once the view
        // is made from it: the view holds all a mount serves.
        let (view, warnings): (View, [String]) = try {
            let build = try source.load()
            return (builder.build(build, kind: options.view, previous: .empty), build.warnings)
        }()
        self.builder = builder
        Memory.returnFreedToSystem()
        self.fileSystem = MediaFileSystem(kind: options.view, view: view, blobs: BlobReader(capacity: blobCacheSize),
                                          logger: logger, maxRequest: options.maxRequest)
        // One log line per warning (a broken package the media does not use, an image left out).
        for warning in warnings { logger.warning("\(warning)") }
        warned.withLock { $0.formUnion(warnings) }
    }

    /// Mounts, calls `ready` once the mount is in place, serves until unmounted
    /// or signalled, then unmounts. Throws if the mount cannot be made.
    public func run(ready: () -> Void) throws {
        routeLibfuseLog(to: logger)
        raiseOpenFileLimit()
        var arguments = ["mediafs"]
        var mountOptions = ["ro", "fsname=mediafs", "subtype=mediafs", "default_permissions",
                            "max_read=\(options.maxRequest)"]
        mountOptions += options.fuseOptions
        arguments += ["-o", mountOptions.joined(separator: ",")]
        if options.debug { arguments.append("-d") }
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        defer { for p in argv { free(p) } }

        var ops = Operations.table()
        let userdata = Unmanaged.passUnretained(fileSystem).toOpaque()
        let made: OpaquePointer? = argv.withUnsafeMutableBufferPointer { buffer in
            var args = fuse_args(argc: Int32(buffer.count), argv: buffer.baseAddress, allocated: 0)
            return fuse_session_new(&args, &ops, MemoryLayout<fuse_lowlevel_ops>.size, userdata)
        }
        guard let se = made else { throw MountError.session("libfuse refused the options \(mountOptions.joined(separator: ","))") }
        session.withLock { $0 = UInt(bitPattern: se) }
        defer {
            session.withLock { $0 = 0 }
            fuse_session_destroy(se)
        }

        restoreDefaultSignalActions([SIGINT, SIGTERM, SIGHUP])
        guard fuse_set_signal_handlers(se) == 0 else { throw MountError.session("cannot install signal handlers") }
        defer { fuse_remove_signal_handlers(se) }
        // libfuse ends the session on SIGHUP too; here SIGHUP means "reload":
        // its handler (installed after libfuse's) wakes the watcher thread.
        let hangups = try SignalEvents([SIGHUP])

        guard fuse_session_mount(se, options.mountPoint) == 0 else { throw MountError.mount(options.mountPoint) }
        logger.info("mounted \(options.view == .tree ? "media tree" : "images") at \(options.mountPoint)",
                    metadata: ["files": "\(fileSystem.currentView.fileCount)", "bytes": "\(fileSystem.currentView.totalBytes)"])
        startWatching(hangups: hangups)
        ready()

        guard let config = fuse_loop_cfg_create() else { throw MountError.session("out of memory") }
        defer { fuse_loop_cfg_destroy(config) }
        fuse_loop_cfg_set_max_threads(config, UInt32(options.maxThreads))
        fuse_loop_cfg_set_idle_threads(config, UInt32(max(2, options.maxThreads / 2)))
        fuse_loop_cfg_set_clone_fd(config, 0)
        let result = mediafs_session_loop_mt(se, config)
        session.withLock { $0 = 0 }
        fuse_session_unmount(se)
        logger.info("unmounted \(options.mountPoint)\(result > 0 ? " (signal \(result))" : "")")
        if result < 0 { throw MountError.session("the session loop failed: \(String(cString: strerror(-result)))") }
    }

    // MARK: live updates

    private func startWatching(hangups: SignalEvents) {
        let watcher: FolderWatcher?
        do {
            let w = try FolderWatcher()
            for path in source.watchPaths { try w.watch(path) }
            watcher = w
        } catch {
            logger.warning("live updates from the library are off: \(error) (SIGHUP still reloads)")
            watcher = nil
        }
        do {
            try startThread { [self] in
                // This thread must not take the SIGTERM/SIGINT meant for the session loop.
                blockSignalsInThisThread([SIGTERM, SIGINT, SIGPIPE])
                watchLoop(watcher: watcher, hangups: hangups)
            }
        } catch {
            logger.warning("live updates are off: \(error)")
        }
    }

    private func watchLoop(watcher: FolderWatcher?, hangups: SignalEvents) {
        let fds = [hangups.fd] + (watcher.map { [$0.fd] } ?? [])
        while true {
            let readable = waitReadable(fds, timeoutMilliseconds: -1)
            if readable.isEmpty { continue }
            var forced = !hangups.drain().isEmpty
            if let watcher {
                // A package lands as several renames: wait until the library is quiet.
                var changed = !watcher.drain().isEmpty
                let started = monotonicMilliseconds()
                while changed, monotonicMilliseconds() - started < 3000 {
                    if waitReadable(fds, timeoutMilliseconds: 200).isEmpty { break }
                    changed = !watcher.drain().isEmpty || changed
                    if !hangups.drain().isEmpty { forced = true }
                }
            }
            reload(reason: forced ? "SIGHUP" : "library changed")
        }
    }

    /// Takes a new build; if its bytes differ, swaps it in and tells the kernel
    /// what changed. Open files keep their old content (their handles hold it).
    public func reload(reason: String) {
        let old = fileSystem.currentView
        guard let view = newView(reason: reason, old: old) else { return }
        _ = fileSystem.swap(to: view)
        fileSystem.blobs.flush()
        invalidate(old: old, new: view)
        Memory.returnFreedToSystem()
        logger.info("reload (\(reason)): new build in place", metadata: ["files": "\(view.fileCount)"])
    }

    /// The view of a new build, or nil when it cannot be loaded or serves the
    /// same bytes. The build itself is released on return (see init).
    private func newView(reason: String, old: View) -> View? {
        let build: MountBuild
        do { build = try source.load() } catch {
            logger.error("reload (\(reason)) failed, still serving the previous build: \(error)")
            return nil
        }
        // One log line per warning, not one per reload.
        for warning in build.warnings where warned.withLock({ $0.insert(warning).inserted }) {
            logger.warning("\(warning)")
        }
        guard build.identity != old.identity else {
            logger.info("reload (\(reason)): nothing changed")
            return nil
        }
        return builder.build(build, kind: options.view, previous: old)
    }

    /// Drops the kernel's cached names that now lead elsewhere and the cached
    /// attributes/listings of folders whose entries changed. Files that changed
    /// have new inodes, so their old inodes' pages stay right for old readers.
    private func invalidate(old: View, new: View) {
        session.withLock { address in
            guard let se = OpaquePointer(bitPattern: address) else { return }
            for (inode, node) in old.nodes {
                guard case .directory(let then) = node.kind else { continue }
                let now = new.listing(of: inode)
                for (index, name) in then.names.enumerated() where now?.inode(named: name) != then.inodes[index] {
                    _ = name.withCString { fuse_lowlevel_notify_inval_entry(se, inode, $0, strlen($0)) }
                }
            }
            for (inode, node) in new.nodes {
                guard case .directory(let now) = node.kind else { continue }
                if let before = old.nodes[inode], case .directory(let then) = before.kind,
                   then.sameEntries(as: now), before.modified == node.modified { continue }
                _ = fuse_lowlevel_notify_inval_inode(se, inode, 0, 0)
            }
        }
    }

    // MARK: the kernel connection

    fileprivate static func describe(_ capable: UInt32) -> String {
        var parts: [String] = []
        if capable & UInt32(FUSE_CAP_SPLICE_WRITE) != 0 { parts.append("splice-write") }
        if capable & UInt32(FUSE_CAP_SPLICE_MOVE) != 0 { parts.append("splice-move") }
        return parts.joined(separator: ",")
    }
}

extension MediaFileSystem {
    /// The init callback: ask for splice (so fd-backed replies are spliced,
    /// not copied) and for large requests. Not for SPLICE_MOVE: the kernel
    /// would move the spliced pages out of the blob's page cache into the
    /// mount's, evicting the library (measured: after one `cat` of a 3 GiB
    /// tree file only 0.8 GiB of its blob stayed cached, and the next reader
    /// of the blob, or of an image holding it, went to the disk).
    func negotiate(_ conn: UnsafeMutablePointer<fuse_conn_info>) {
        let wanted = UInt32(FUSE_CAP_SPLICE_WRITE)
        conn.pointee.want |= conn.pointee.capable & wanted
        // libfuse derives the kernel's max_pages from max_write; max_read must
        // match the mount option given to fuse_session_new.
        conn.pointee.max_write = UInt32(maxRequest)
        conn.pointee.max_read = UInt32(maxRequest)
        conn.pointee.max_readahead = UInt32(maxRequest)
        conn.pointee.time_gran = 1
        logger.debug("kernel connection", metadata: [
            "protocol": "7.\(conn.pointee.proto_minor)",
            "splice": "\(MountDaemon.describe(conn.pointee.want & wanted))",
            "max_write": "\(conn.pointee.max_write)",
        ])
    }
}

/// libfuse's own messages go to the same log.
private func routeLibfuseLog(to logger: Logger) {
    libfuseLogger.withLock { $0 = logger }
    fuse_set_log_func { level, format, arguments in
        guard let format, let arguments else { return }
        var buffer = [CChar](repeating: 0, count: 1024)
        _ = mediafs_format_log(&buffer, buffer.count, format, arguments)
        let bytes = buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }
        let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: " \n")
        guard let logger = libfuseLogger.withLock({ $0 }) else { return }
        switch level {
        case FUSE_LOG_EMERG, FUSE_LOG_ALERT, FUSE_LOG_CRIT, FUSE_LOG_ERR: logger.error("libfuse: \(text)")
        case FUSE_LOG_WARNING: logger.warning("libfuse: \(text)")
        case FUSE_LOG_DEBUG: logger.debug("libfuse: \(text)")
        default: logger.info("libfuse: \(text)")
        }
    }
}

import Synchronization
private let libfuseLogger = Mutex<Logger?>(nil)

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let c = s.last, set.contains(c) { s.removeLast() }
        return String(s)
    }
}
