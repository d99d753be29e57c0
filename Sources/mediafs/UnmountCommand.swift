import ArgumentParser
import SystemIO

/// `mediafs unmount MOUNTPOINT`: ends a mount (the daemon then exits).
struct UnmountCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unmount",
        abstract: "Unmount a mediafs mount.",
        discussion: """
        Asks the kernel to unmount (fusermount3 -u); the daemon then exits. --force detaches \
        the mount lazily (fusermount3 -u -z): for a daemon that died ("Transport endpoint is \
        not connected") or a mount still in use.
        """)

    @Flag(name: .long, help: "Detach lazily, even if the daemon died or the mount is busy.")
    var force = false

    @Argument(help: "The folder the media is mounted on.")
    var mountPoint: String

    func run() throws {
        var path = FileSystem.absolute(mountPoint)
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        guard let entry = try Mounts.entry(at: path) else {
            throw ValidationError("\(path): nothing is mounted here")
        }
        guard entry.fileSystemType.hasPrefix("fuse") else {
            throw ValidationError("\(path): this is a \(entry.fileSystemType) mount, not a mediafs one")
        }
        let status = try ProcessControl.run("fusermount3", force ? ["-u", "-z", path] : ["-u", path])
        guard status == 0 else {
            throw ValidationError("\(path): fusermount3 could not unmount it (exit \(status))\(force ? "" : "; if the mount is busy or its daemon died, try --force")")
        }
    }
}
