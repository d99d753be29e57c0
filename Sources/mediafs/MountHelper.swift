import ArgumentParser
import SystemIO

/// `mediafs` as a mount(8) helper. For `mount -t fuse.mediafs SPEC DIR -o OPTS`
/// (and the same /etc/fstab line) mount.fuse3 runs `mediafs SPEC DIR -o OPTS`;
/// installed as `mount.fuse.mediafs` (Scripts/install), mount(8) runs it the
/// same way. Both are `mediafs mount SPEC DIR -o OPTS`.
enum MountHelper {
    /// The arguments with `mount` put first when they are the helper form: the
    /// program is called `mount.fuse.mediafs`, or the first argument is not a
    /// subcommand but a spec (an existing file, a path with `/`, a `.yaml`
    /// name), and a mount point follows. Anything else (a mistyped subcommand)
    /// is left for the parser to refuse.
    static func arguments(_ arguments: [String], programName: String = CommandLine.arguments.first ?? "",
                          subcommands: [any ParsableCommand.Type]) -> [String] {
        let program = programName.split(separator: "/").last.map(String.init) ?? ""
        if program.hasPrefix("mount.") { return ["mount"] + arguments }
        guard arguments.count >= 2, let first = arguments.first, !first.hasPrefix("-"),
              !arguments[1].hasPrefix("-") else { return arguments }
        let names = Set(subcommands.map { $0._commandName } + ["help"])
        guard !names.contains(first) else { return arguments }
        let looksLikeSpec = FileSystem.exists(first) || first.contains("/") || first.hasSuffix(".yaml") || first.hasSuffix(".yml")
        return looksLikeSpec ? ["mount"] + arguments : arguments
    }

    /// fstab and mount(8) words that are not for libfuse: mount(8) or systemd
    /// act on them (or they mean nothing to a read-only FUSE mount). `ro`/`rw`:
    /// a mediafs mount is always read-only, so both are accepted and dropped.
    static func isMountCommandOption(_ option: String) -> Bool {
        let exact: Set<String> = ["defaults", "auto", "noauto", "nofail", "_netdev", "user", "users", "nouser",
                                  "owner", "group", "ro", "rw"]
        return exact.contains(option) || option.hasPrefix("x-") || option.hasPrefix("comment=")
    }
}
