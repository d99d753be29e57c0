import ArgumentParser

// Placeholder until its issue lands.
struct TreeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tree", abstract: "(not yet implemented)")
    func run() throws { throw ValidationError("mediafs tree is not implemented yet") }
}
