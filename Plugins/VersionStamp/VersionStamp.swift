import Foundation
import PackagePlugin

/// Stamps the `mediafs` target with the git commit it is built from:
/// writes `GitCommit.swift` (`let gitCommit = "…"`) before every build, and
/// rewrites it only when the text changes, so an unchanged tree recompiles
/// nothing. Outside a git checkout (a source tarball) the commit is empty and
/// `mediafs --version` shows the package version alone. The command is git
/// through /bin/sh: a prebuild command may only run tools that are not built.
@main
struct VersionStamp: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let directory = context.pluginWorkDirectoryURL.appendingPathComponent("generated")
        let output = directory.appendingPathComponent("GitCommit.swift").path
        let root = context.package.directoryURL.path
        let script = """
            commit=$(git -C "$1" rev-parse --short=12 HEAD 2>/dev/null) || commit=""
            if [ -n "$commit" ] && [ -n "$(git -C "$1" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
              commit="$commit-dirty"
            fi
            text="let gitCommit = \\"$commit\\""
            mkdir -p "$(dirname "$2")"
            [ "$(cat "$2" 2>/dev/null)" = "$text" ] || printf '%s\\n' "$text" > "$2"
            """
        return [.prebuildCommand(displayName: "Stamping mediafs with its git commit",
                                 executable: URL(fileURLWithPath: "/bin/sh"),
                                 arguments: ["-c", script, "stamp", root, output],
                                 outputFilesDirectory: directory)]
    }
}
