#if canImport(Glibc)
import Glibc
#endif

/// Signals delivered as readable bytes on a pipe (the self-pipe trick), so a
/// daemon handles SIGHUP in an ordinary thread instead of a signal handler.
/// Install after anything else that sets handlers for the same signals.
public final class SignalEvents: @unchecked Sendable {
    public let fd: Int32

    public init(_ signals: [Int32]) throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw SystemError("pipe", path: "(signals)", errno: errno) }
        for f in fds {
            _ = fcntl(f, F_SETFD, FD_CLOEXEC)
            _ = fcntl(f, F_SETFL, fcntl(f, F_GETFL) | O_NONBLOCK)
        }
        fd = fds[0]
        signalPipeWriteEnd = fds[1]
        for s in signals {
            // write(2) is async-signal-safe; the handler does nothing else.
            signal(s) { number in
                var byte = UInt8(truncatingIfNeeded: number)
                _ = write(signalPipeWriteEnd, &byte, 1)
            }
        }
    }

    deinit { close(fd) }

    /// The signal numbers pending, consumed.
    public func drain() -> [Int32] {
        var result: [Int32] = []
        var byte: UInt8 = 0
        while read(fd, &byte, 1) == 1 { result.append(Int32(byte)) }
        return result
    }
}

nonisolated(unsafe) private var signalPipeWriteEnd: Int32 = -1

/// Blocks `signals` in the calling thread only (a helper thread that must not
/// receive the signals meant for the main loop).
public func blockSignalsInThisThread(_ signals: [Int32]) {
    var set = sigset_t()
    sigemptyset(&set)
    for s in signals { sigaddset(&set, s) }
    pthread_sigmask(SIG_BLOCK, &set, nil)
}

/// Restores the default action of `signals`: a daemon started from a script
/// inherits SIGINT ignored (shells ignore it for background jobs), and libfuse
/// installs its exit handler only over the default action.
public func restoreDefaultSignalActions(_ signals: [Int32]) {
    for s in signals { signal(s, SIG_DFL) }
}
