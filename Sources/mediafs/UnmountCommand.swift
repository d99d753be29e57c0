import ArgumentParser

// Placeholder until its issue lands.
struct UnmountCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unmount", abstract: "(not yet implemented)")
    func run() throws { throw ValidationError("mediafs unmount is not implemented yet") }
}
