import ArgumentParser

// Placeholder until its issue lands.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "(not yet implemented)")
    func run() throws { throw ValidationError("mediafs export is not implemented yet") }
}
