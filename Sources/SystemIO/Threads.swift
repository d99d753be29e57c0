#if canImport(Glibc)
import Glibc
#endif

/// A thread started by `startJoinableThread`: wait for its end with `join()`.
public struct StartedThread: @unchecked Sendable {
    fileprivate let handle: pthread_t

    /// Waits until the thread's body has returned.
    public func join() { pthread_join(handle, nil) }
}

/// Starts a thread running `body`; the caller must `join()` it. Threads are
/// created here so system calls stay in this module.
public func startJoinableThread(_ body: @escaping @Sendable () -> Void) throws -> StartedThread {
    final class Box { let body: @Sendable () -> Void; init(_ b: @escaping @Sendable () -> Void) { body = b } }
    let context = Unmanaged.passRetained(Box(body)).toOpaque()
    var thread = pthread_t()
    let r = pthread_create(&thread, nil, { raw in
        guard let raw else { return nil }
        let box = Unmanaged<Box>.fromOpaque(raw).takeRetainedValue()
        box.body()
        return nil
    }, context)
    guard r == 0 else {
        Unmanaged<Box>.fromOpaque(context).release()
        throw SystemError("start thread", path: "(thread)", errno: r)
    }
    return StartedThread(handle: thread)
}

/// Starts a detached thread running `body` (a daemon's helper: the library watcher).
public func startThread(_ body: @escaping @Sendable () -> Void) throws {
    let thread = try startJoinableThread(body)
    pthread_detach(thread.handle)
}

/// Milliseconds on the monotonic clock (for debouncing and timing, never for output).
public func monotonicMilliseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1000 + UInt64(ts.tv_nsec) / 1_000_000
}

/// The user and group the process runs as (owner of a mount's files).
public var currentUserID: UInt32 { getuid() }
public var currentGroupID: UInt32 { getgid() }

/// Raises the soft limit on open descriptors to the hard limit: a mount
/// daemon holds one per open file of its readers, plus its blob cache.
public func raiseOpenFileLimit() {
    var limit = rlimit()
    guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
    limit.rlim_cur = limit.rlim_max
    _ = setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
}
