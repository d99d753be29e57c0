/// `mediafs --version`: the package version (edited here at a release) and the
/// git commit the binary was built from (`gitCommit`, generated before each
/// build by Plugins/VersionStamp; empty outside a git checkout).
enum MediafsVersion {
    static let package = "0.1.0"

    static var text: String {
        gitCommit.isEmpty ? "mediafs \(package)" : "mediafs \(package) (git \(gitCommit))"
    }
}
