import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

/// The `mediafs` command. Each subcommand lives in its own file and is a thin
/// front end over MediaEngine; all the work is in the library targets.
struct MediaFS: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mediafs",
        abstract: "Build task sequence media (USB FAT32 images, ISO disc sets) from a content library.",
        discussion: """
        As a mount helper (mount -t fuse.mediafs, /etc/fstab), 'mediafs SPEC MOUNTPOINT -o OPTIONS' \
        is 'mediafs mount SPEC MOUNTPOINT -o OPTIONS' (see 'mediafs mount --help').
        """,
        version: MediafsVersion.text,
        subcommands: [LibraryCommand.self, TreeCommand.self, ExportCommand.self, MountCommand.self,
                      UnmountCommand.self, VerifyCommand.self,
                      InspectCommand.self, CertificateCommand.self]
    )
}

CommandLineEntry.run(MediaFS.self, arguments: MountHelper.arguments(Array(CommandLine.arguments.dropFirst()),
                                                                      subcommands: MediaFS.configuration.subcommands))
