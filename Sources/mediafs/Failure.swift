import SystemIO
#if canImport(Glibc)
import Glibc
#endif

/// How every subcommand reports: warnings and errors on stderr, one line each,
/// `mediafs: ` first; an error exits 1, never with a stack trace.
enum Console {
    /// Runs a subcommand's body; an error becomes `mediafs: <error>` and exit status 1.
    static func run(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch {
            printError(String(describing: error))
            exit(1)
        }
    }

    static func printError(_ message: String) {
        writeStderr("mediafs: " + oneLine(message) + "\n")
    }

    static func printWarning(_ message: String) {
        writeStderr("mediafs: " + oneLine(message) + "\n")
    }

    /// Standard output, written in large chunks.
    static let standardOutput = OpenFile(borrowing: 1, name: "standard output")

    private static func writeStderr(_ text: String) {
        try? OpenFile(borrowing: 2, name: "standard error").write(Array(text.utf8))
    }

    /// Error texts are one line so scripts can grep them; inner newlines become "; ".
    private static func oneLine(_ s: String) -> String {
        s.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).joined(separator: "; ")
    }
}
