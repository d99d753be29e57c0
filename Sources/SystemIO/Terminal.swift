#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The terminal questions a command line asks: is this descriptor a terminal,
/// and how wide is it (for a progress bar)?
public enum Terminal {
    public static let standardInput: Int32 = 0
    public static let standardOutput: Int32 = 1
    public static let standardError: Int32 = 2

    public static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

    /// Columns of the terminal on `fd`, or nil when it is not a terminal.
    public static func columns(_ fd: Int32) -> Int? {
        var size = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }
}

private let interruptSignal = Atomic<Int32>(0)

/// Ctrl-C and friends during a long write: the first SIGINT/SIGTERM/SIGHUP is
/// recorded so the writer can stop at its next step and remove what it wrote;
/// a second one kills the process the usual way.
public enum Interrupts {
    public static func install() {
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            signal(signalNumber) { received in
                interruptSignal.store(received, ordering: .relaxed)
                signal(received, SIG_DFL)
            }
        }
    }

    /// The signal received since `install`, or nil.
    public static var received: Int32? {
        let value = interruptSignal.load(ordering: .relaxed)
        return value == 0 ? nil : value
    }

    /// A write to a pipe whose reader has gone fails with EPIPE (one clear
    /// error) instead of killing the process silently.
    public static func ignoreBrokenPipe() {
        signal(SIGPIPE, SIG_IGN)
    }

    public static func name(_ signalNumber: Int32) -> String {
        switch signalNumber {
        case SIGINT: return "SIGINT"
        case SIGTERM: return "SIGTERM"
        case SIGHUP: return "SIGHUP"
        default: return "signal \(signalNumber)"
        }
    }
}
