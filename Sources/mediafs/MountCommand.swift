import ArgumentParser

// Placeholder until its issue lands.
struct MountCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mount", abstract: "(not yet implemented)")
    func run() throws { throw ValidationError("mediafs mount is not implemented yet") }
}
