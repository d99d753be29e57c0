import ArgumentParser
import Foundation
import MediaEngine
import MediaTree
import SystemIO

extension ManifestFormat: ExpressibleByArgument {}

/// `mediafs tree SPEC`: the media tree as a manifest (see the README).
struct TreeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tree",
        abstract: "Print the media tree a spec describes.",
        discussion: """
            Formats: long (size, time, path; the default), sha256sum (exactly what sha256sum prints, \
            so `cd MOUNT && sha256sum -c` checks a mounted tree) and json. Warnings go to stderr.
            """)

    @Argument(help: "The media spec (YAML).")
    var spec: String

    @Option(name: .long, help: "long, sha256sum or json.")
    var format: ManifestFormat = .long

    func run() throws {
        try Console.run {
            let build = try MediaEngine(specPath: spec, environment: ProcessInfo.processInfo.environment).load()
            for warning in build.warnings { Console.printWarning(warning) }
            try TreeManifest.write(build.tree, format: format) { chunk in
                try chunk.withUnsafeBytes { try Console.standardOutput.write($0) }
            }
        }
    }
}
