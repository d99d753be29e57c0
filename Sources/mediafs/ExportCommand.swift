import ArgumentParser
import Export
import Foundation
import MediaEngine
import MediaTree
import RegionMap
import SystemIO

/// `mediafs export SPEC --format usb|iso -o PATH|-`: streams the media's image
/// (or disc set) to a file, standard output or a USB stick. A thin front end:
/// MediaEngine makes the layouts, Export writes them.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the media's image to a file, standard output or a USB stick.",
        discussion: """
        The bytes are those of the mounted image. A file is written beside PATH and \
        renamed over it only when complete: an existing PATH is never lost to a failed \
        export. A block device is opened exclusively (refused while mounted or in use), \
        must be at least as large as the image and, unless --force, removable. Library \
        blobs are checked against their SHA-256 while the image streams. With --checksum \
        or --verify-written the image's SHA-256 is printed at the end (on standard output, \
        or standard error when the image goes there).
        """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case usb, iso, wim }

    @Argument(help: "The media spec file.")
    var spec: String

    @Option(help: "usb: a FAT32 disk image; iso: an ISO 9660 image (or a disc set); wim: one uncompressed WIM (prestaged media).")
    var format: Format

    @Option(name: [.short, .customLong("output")],
            help: "A file (for a disc set, the name sequence numbers are added to), - for standard output, or a block device.")
    var output: String

    @Flag(name: .customLong("no-verify"), help: "Do not check library blobs against their SHA-256.")
    var noVerify = false

    @Flag(help: "Compute the image's SHA-256, print it and write it to PATH.sha256 (sha256sum format).")
    var checksum = false

    @Flag(name: .customLong("verify-written"), help: "Read the written image back and compare its SHA-256.")
    var verifyWritten = false

    @Flag(help: "Write to a block device even if it is not removable.")
    var force = false

    @Option(help: "auto (a bar on a terminal), bar, plain (a line every few seconds, for logs) or none.")
    var progress: ProgressStyle = .automatic

    @Flag(name: [.short, .long], help: "No progress and no summary on standard error.")
    var quiet = false

    @Flag(help: "Print the summary as one JSON object on standard output (standard error when the image goes there) instead of the hash and summary lines.")
    var json = false

    // For Scripts/bench: the copy path, buffers and page-cache use being measured.
    @Option(name: .customLong("copy-path"), help: .hidden)
    var copyPath: CopyPath = .automatic

    @Option(name: .customLong("buffer-size"), help: .hidden)
    var bufferKiB: Int?

    @Option(name: .customLong("buffers"), help: .hidden)
    var bufferCount: Int?

    @Flag(name: .customLong("page-cache"), help: .hidden)
    var pageCache = false

    func run() throws {
        var options = ExportOptions()
        options.verifyBlobs = !noVerify
        options.writeChecksumFile = checksum
        options.verifyWritten = verifyWritten
        options.force = force
        options.progress = quiet ? .none : progress
        options.copyPath = copyPath
        if let bufferKiB { options.bufferSize = max(64, bufferKiB) * 1024 }
        if let bufferCount { options.bufferCount = max(2, bufferCount) }
        options.directWrites = !pageCache

        let quiet = self.quiet
        let standardError = OpenFile(borrowing: Terminal.standardError, name: "standard error")
        let say: (String) -> Void = { line in if !quiet { try? standardError.write(Array("mediafs: \(line)\n".utf8)) } }

        do {
            Interrupts.install()
            Interrupts.ignoreBrokenPipe()
            let media = try ExportSource.load(spec: spec, format: format, output: output, progress: quiet ? .none : progress, say: say)
            for warning in media.warnings { Console.printWarning(warning) }
            let exporter = Exporter(options: options, mediaPaths: media.mediaPaths, message: say)
            let results = try exporter.export(media.images)
            // The hash line in sha256sum format: on standard output unless the image is there.
            let hashOut = output == "-" ? standardError : OpenFile(borrowing: Terminal.standardOutput, name: "standard output")
            if json {
                try? hashOut.write(Array((try ExportSummary.json(results) + "\n").utf8))
                return
            }
            for result in results {
                let s = result.statistics
                if let sha = s.sha256 { try? hashOut.write(Array("\(sha)  \(result.output)\n".utf8)) }
                var notes = ["\(s.size) bytes in \(s.seconds.formatted2) s"]
                if s.verifiedBlobs > 0 { notes.append(counted(s.verifiedBlobs, "blob") + " verified") }
                if s.sha256 == nil { notes.append("image SHA-256 not computed (--checksum computes it)") }
                if s.uncheckedBlobs > 0 { notes.append(counted(s.uncheckedBlobs, "blob") + " without a recorded hash") }
                if s.holeBytes > 0 { notes.append("\(s.holeBytes) bytes of zeros left as holes") }
                if s.kernelBytes > 0 { notes.append("\(s.kernelBytes) bytes copied by \(s.copyPath.rawValue)") }
                say("wrote \(result.output): " + notes.joined(separator: ", "))
            }
        } catch {
            // One clear line and a failure status; never a stack trace or usage text.
            Console.printError(String(describing: error))
            throw ExitCode.failure
        }
    }
}

extension ProgressStyle: ExpressibleByArgument {}
extension CopyPath: ExpressibleByArgument {}


/// The images a spec makes in one format, each with its output name, and
/// which media file each blob is (so a damaged blob is named by its file).
struct ExportSource {
    let images: [ExportImage]
    let mediaPaths: [String: String]
    let warnings: [String]

    static func load(spec: String, format: ExportCommand.Format, output: String, progress: ProgressStyle,
                     say: (String) -> Void) throws -> ExportSource {
        let build = try MediaEngine(specPath: spec, environment: ProcessInfo.processInfo.environment).load()
        let images: [MediaImage]
        switch format {
        case .usb: images = try build.images(format: .usb)
        case .iso: images = try build.images(format: .iso)
        case .wim:
            // A WIM names content by SHA-1: the blobs the SHA-1 cache does not know are hashed first.
            let bar = SHA1ProgressBar(style: progress)
            let (image, report) = try bar.run { try build.wimImage(progress: $0) }
            images = [image]
            if report.computedBlobs > 0 {
                let rate = report.seconds > 0 ? Double(report.computedBytes) / report.seconds / 1e9 : 0
                say("SHA-1 of \(report.computedBlobs) blobs (\(report.computedBytes) bytes) computed in \(report.seconds.formatted2) s, \(rate.formatted2) GB/s on \(report.threads) threads; files whose SHA-1 the cache had: \(report.cachedFiles)")
            }
            if let problem = report.cacheProblem { say("warning: \(problem)") }
        }
        var mediaPaths: [String: String] = [:]
        build.tree.forEachFile { path, file in
            if case .blob(let blob) = file.source, mediaPaths[blob.path] == nil { mediaPaths[blob.path] = path }
        }
        let exportImages = images.map { image in
            let title: String
            if let disc = image.disc, let count = image.discCount, count > 1 { title = "disc \(disc) of \(count)" } else { title = "" }
            return ExportImage(layout: image.layout, output: output == "-" ? "-" : build.outputPath(for: image, base: output), title: title)
        }
        return ExportSource(images: exportImages, mediaPaths: mediaPaths, warnings: build.warnings)
    }
}

/// The SHA-1 pass's progress (the blobs the cache does not know), drawn by the
/// exporter's reporter. The pass calls it from one thread at a time.
final class SHA1ProgressBar: @unchecked Sendable {
    let style: ProgressStyle
    private var reporter: ProgressReporter?
    private var done: UInt64 = 0

    init(style: ProgressStyle) { self.style = style }

    func run<T>(_ body: (@escaping SHA1Pass.Progress) throws -> T) throws -> T {
        do {
            let result = try body { [self] done, total in
                if reporter == nil { reporter = ProgressReporter(style: style, total: total, title: "SHA-1") }
                self.done = done
                reporter?.update(done)
            }
            reporter?.finish(done)
            return result
        } catch {
            reporter?.abandon()
            throw error
        }
    }
}

/// `export --json`: what scripts read from an export, one object for all its images.
enum ExportSummary {
    struct Image: Encodable {
        let output: String
        let bytes: UInt64
        let seconds: Double
        let sha256: String?
        let verifiedBlobs: Int
        let uncheckedBlobs: Int
        let holeBytes: UInt64
        let kernelBytes: UInt64
        let copyPath: String
    }

    static func json(_ results: [ExportResult]) throws -> String {
        let images = results.map { r in
            let s = r.statistics
            return Image(output: r.output, bytes: s.size, seconds: s.seconds, sha256: s.sha256,
                         verifiedBlobs: Int(s.verifiedBlobs), uncheckedBlobs: Int(s.uncheckedBlobs),
                         holeBytes: UInt64(s.holeBytes), kernelBytes: UInt64(s.kernelBytes), copyPath: s.copyPath.rawValue)
        }
        return try JSONText.encode(["images": images])
    }
}
