import ArgumentParser

// Placeholder until its issue lands.
struct LibraryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "library", abstract: "(not yet implemented)")
    func run() throws { throw ValidationError("mediafs library is not implemented yet") }
}
