import ArgumentParser
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

    fileprivate static func writeStderr(_ text: String) {
        try? OpenFile(borrowing: 2, name: "standard error").write(Array(text.utf8))
    }

    /// Error texts are one line so scripts can grep them; inner newlines become "; ".
    fileprivate static func oneLine(_ s: String) -> String {
        s.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).joined(separator: "; ")
    }
}

/// The one place errors leave the program, whatever command raised them:
/// - a usage mistake (found while parsing: unknown option, missing argument,
///   a `validate()` refusal): `mediafs: …`, then the command's usage; exit 1;
/// - any error a command's `run()` throws: one `mediafs: …` line, exit 1 (no usage);
/// - `ExitCode` (the command has already reported): that status;
/// - `--help`, `--version`: printed on standard output, exit 0.
/// Commands therefore just throw; none prints "Error:" itself.
enum CommandLineEntry {
    static func run(_ root: any ParsableCommand.Type, arguments: [String]) -> Never {
        var command: any ParsableCommand
        do {
            command = try root.parseAsRoot(arguments)
        } catch {
            if let exit = error as? ExitCode { Glibc.exit(exit.rawValue) }
            if root.exitCode(for: error) == .success { root.exit(withError: error) }  // help, version
            let text = root.fullMessage(for: error)
            let body = text.hasPrefix("Error: ") ? String(text.dropFirst("Error: ".count)) : text
            Console.writeStderr("mediafs: " + body + (body.hasSuffix("\n") ? "" : "\n"))
            Glibc.exit(1)
        }
        do {
            try command.run()
            Glibc.exit(0)
        } catch let exit as ExitCode {
            Glibc.exit(exit.rawValue)
        } catch {
            if root.exitCode(for: error) == .success { root.exit(withError: error) }
            let message: String
            // ArgumentParser's own errors (ValidationError from a run()) through its text; ours as they describe themselves.
            message = error is ValidationError ? root.message(for: error) : String(describing: error)
            Console.printError(message)
            Glibc.exit(1)
        }
    }
}

/// Counts in words, singular or plural: "1 file", "2 files", "0 blobs".
func counted<N: BinaryInteger>(_ count: N, _ singular: String, _ plural: String? = nil) -> String {
    "\(count) " + (count == 1 ? singular : (plural ?? singular + "s"))
}
