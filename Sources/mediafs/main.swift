import ArgumentParser

/// The `mediafs` command. Each subcommand lives in its own file and is a thin
/// front end over MediaEngine; all the work is in the library targets.
struct MediaFS: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mediafs",
        abstract: "Build task sequence media (USB FAT32 images, ISO disc sets) from a content library.",
        subcommands: [LibraryCommand.self, TreeCommand.self, ExportCommand.self, MountCommand.self, UnmountCommand.self,
                      InspectCommand.self, CertificateCommand.self]
    )
}

MediaFS.main()
