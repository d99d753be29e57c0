import ArgumentParser
import Foundation
import FUSEMount
import MediaEngine
import Glibc
import Logging
import SystemIO

/// `mediafs mount [--images] SPEC MOUNTPOINT`: the media as a live, read-only
/// filesystem. Returns once the mount is ready, leaving a daemon behind
/// (`-f` keeps it in the foreground).
struct MountCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mount",
        abstract: "Mount the media tree (or, with --images, the disk images) read-only.",
        discussion: """
        The tree view shows the files exactly as the USB stick or ISO holds them. The --images \
        view shows a folder with the USB disk image (.img) and every ISO of the disc set (for \
        prestaged media, its WIM alone); their \
        bytes are computed on demand and equal what 'mediafs export' writes, so 'dd' from the \
        mount writes a bootable stick. The mount is live: a new package version in the library \
        shows up without remounting (SIGHUP forces a reload), while a file already open keeps \
        reading the version it opened. Unmount with 'mediafs unmount MOUNTPOINT'. \
        Through mount(8): 'mount -t fuse.mediafs SPEC MOUNTPOINT -o ro,images' or the same /etc/fstab \
        line; -o images is --images, ro/rw and fstab-only words (defaults, noauto, nofail, _netdev, \
        x-systemd.*) are accepted and left out (the mount is always read-only).
        """)

    @Flag(name: .long, help: "Show the virtual disk images instead of the media tree.")
    var images = false

    @Flag(name: .customShort("f"), help: "Stay in the foreground (log to standard error).")
    var foreground = false

    @Option(name: .customShort("o"), parsing: .singleValue,
            help: ArgumentHelp("Mount options, comma-separated (allow_other, allow_root, images, …).", valueName: "options"))
    var mountOptions: [String] = []

    @Option(name: .customLong("log-level"),
            help: "The daemon's log level: trace, debug, info, notice, warning, error or critical (syslog, or standard error with -f).")
    var logLevel: Logger.Level = .info

    @Flag(name: .long, help: "Log every request (libfuse debug output); implies -f.")
    var debug = false

    @Option(name: .long, help: ArgumentHelp(visibility: .hidden))
    var folder: String?

    @Option(name: .long, help: ArgumentHelp(visibility: .hidden))
    var foregroundChild: Int32?

    @Argument(help: "The media spec file (not used with --folder).")
    var spec: String?

    @Argument(help: "An existing empty folder to mount on.")
    var mountPoint: String?

    func validate() throws {
        if folder == nil && (spec == nil || mountPoint == nil) {
            throw ValidationError("give the media spec and the mount point: mediafs mount [--images] SPEC MOUNTPOINT")
        }
        if folder != nil && mountPoint == nil && spec == nil {
            throw ValidationError("give the mount point")
        }
    }

    /// With --folder, the one positional argument is the mount point.
    var target: String { FileSystem.absolute(mountPoint ?? spec ?? "") }

    /// -o words split at commas; `images` taken out (it is --images), mount(8)'s own words dropped.
    private var fuseOptions: [String] {
        mountOptions.flatMap { $0.split(separator: ",").map(String.init) }
            .filter { $0 != "images" && !MountHelper.isMountCommandOption($0) }
    }

    private var showsImages: Bool {
        images || mountOptions.contains { $0.split(separator: ",").contains("images") }
    }

    func run() throws {
        let level = debug ? Logger.Level.debug : logLevel
        if foreground || debug {
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
            try serve(ready: {})
            return
        }
        if let fd = foregroundChild {
            try runAsChild(readyFD: fd)
            return
        }
        try startInBackground()
    }

    /// The daemon half: started by `startInBackground` with the write end of a
    /// pipe. Writes "R" once mounted, or "E" and the error, then lets go of the
    /// parent's terminal.
    private func runAsChild(readyFD: Int32) throws {
        let pipe = PipeEnd(fd: readyFD)
        _ = fcntl(readyFD, F_SETFD, FD_CLOEXEC)  // not into anything libfuse starts
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = SyslogLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
        var reported = false
        do {
            try serve(ready: {
                pipe.write([UInt8(ascii: "R")])
                reported = true
                ProcessControl.detachStandardStreams()
            })
        } catch {
            if !reported { pipe.write(Array("E\(error)\n".utf8)) }
            mountLogger.error("\(error)")
            throw ExitCode.failure
        }
        withExtendedLifetime(pipe) {}
    }

    /// The command half: re-executes this program as the daemon (never fork a
    /// process that may run threads), waits for its ready byte or its error.
    private func startInBackground() throws {
        let readEnd: PipeEnd
        let pid: Int32
        do {
            let (r, writeEnd) = try ProcessControl.makePipe(inheritWriteEnd: true)
            readEnd = r
            var arguments = Array(CommandLine.arguments)
            arguments.append(contentsOf: ["--foreground-child", String(writeEnd.fd)])
            pid = try ProcessControl.spawn(try ProcessControl.executablePath(), arguments: arguments, newSession: true)
            // writeEnd closes here: only the child holds it, so EOF means the child died.
        }
        let answer = readEnd.readToEnd(limit: 1)
        if answer == [UInt8(ascii: "R")] { return }
        let rest = readEnd.readToEnd()
        let status = try ProcessControl.wait(pid)
        let message = String(decoding: answer.dropFirst() + rest, as: UTF8.self)
        let text = message.isEmpty ? "the mount daemon exited (status \(status)) before the mount was ready"
                                   : message.trimmingSuffix("\n")
        FileHandleStandardError.write("mediafs: \(text)\n")
        throw ExitCode.failure
    }

    /// Every line names its mount: one machine may run several daemons into one journal.
    private var mountLogger: Logger {
        var logger = Logger(label: "mediafs.mount")
        logger[metadataKey: "mountpoint"] = "\(target)"
        return logger
    }

    private func serve(ready: () -> Void) throws {
        let logger = mountLogger
        let images = showsImages
        let source: any MountSource
        if let folder {
            source = FolderSource(folder: FileSystem.absolute(folder))
        } else {
            source = EngineMountSource(specPath: FileSystem.absolute(spec ?? ""), view: images ? .images : .tree)
        }
        let options = MountOptions(mountPoint: target, view: images ? .images : .tree,
                                   fuseOptions: fuseOptions,
                                   debug: debug)
        let daemon = try MountDaemon(source: source, options: options, logger: logger)
        try daemon.run(ready: ready)
    }
}

/// `mount --images` of a media no image format can hold.
struct MountImagesUnavailable: Error, CustomStringConvertible {
    let reasons: [String]
    var description: String { "no image of this media can be made: " + reasons.joined(separator: "; ") }
}

/// Standard error without Foundation.
enum FileHandleStandardError {
    static func write(_ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        var s = self
        while s.hasSuffix(suffix) { s.removeLast(suffix.count) }
        return s
    }
}

/// The media engine as a mount source: spec → snapshot → tree (and, for
/// --images, the USB image and every ISO of the set). Each reload takes a new
/// library snapshot. Blob sizes are not checked at load: the mount checks a
/// file's blob when a reader opens it (EIO for that file only).
struct EngineMountSource: MountSource {
    let engine: MediaEngine
    let view: MountViewKind

    init(specPath: String, view: MountViewKind) {
        engine = MediaEngine(specPath: specPath, environment: ProcessInfo.processInfo.environment, checkBlobSizes: false)
        self.view = view
    }

    /// For `--images`, each format whose image(s) can be made: one that cannot
    /// (a name only the other format can hold, a file too large for FAT) is
    /// left out with a warning naming the file; none at all is an error.
    func load() throws -> MountBuild {
        let build = try engine.load()
        var warnings = build.warnings
        var images: [MountImage] = []
        if view == .images {
            var failures: [String] = []
            for format in ImageFormat.allCases {
                do {
                    images += try build.images(format: format).map { MountImage(name: $0.name, layout: $0.layout) }
                } catch {
                    failures.append("\(error)")
                    warnings.append("warning: the \(format.rawValue.uppercased()) image is left out: \(error)")
                }
            }
            if images.isEmpty { throw MountImagesUnavailable(reasons: failures) }
        }
        return MountBuild(tree: build.tree, images: images, identity: build.identity, warnings: warnings)
    }

    var watchPaths: [String] { engine.watchPaths }
}
