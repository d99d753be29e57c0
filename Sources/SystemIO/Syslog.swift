#if canImport(Glibc)
import Glibc
#endif

/// The system log (syslog, read by journald): where a daemon writes once it has
/// left the terminal.
public enum SystemLog {
    public enum Priority: Int32, Sendable {
        case error = 3, warning = 4, notice = 5, info = 6, debug = 7
    }

    public static func open(identifier: String) {
        // openlog keeps the pointer: the string must live for the process.
        let kept = strdup(identifier)
        openlog(kept, LOG_PID | LOG_NDELAY, LOG_DAEMON)
    }

    public static func write(_ priority: Priority, _ message: String) {
        message.withCString { text in withVaList([text]) { vsyslog(priority.rawValue, "%s", $0) } }
    }
}
