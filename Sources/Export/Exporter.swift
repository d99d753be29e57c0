import RegionMap
import SystemIO

/// One image to write: its layout and where it goes.
public struct ExportImage: Sendable {
    public let layout: Layout
    /// `-` (standard output), a file path, or a block device.
    public let output: String
    /// How progress names it ("disc 2 of 3"); the output's name when empty.
    public let title: String
    /// Digests the layout's producer expects of its blobs besides the
    /// library's SHA-256, by blob path (a WIM's SHA-1s): checked in the same
    /// pass when blobs are verified.
    public let expectedDigests: [String: [BlobDigest]]

    public init(layout: Layout, output: String, title: String = "", expectedDigests: [String: [BlobDigest]] = [:]) {
        self.layout = layout
        self.output = output
        self.title = title
        self.expectedDigests = expectedDigests
    }
}

public struct ExportResult: Sendable {
    public let output: String
    public let statistics: ImageWriteStatistics
}

/// Streams images (one, or a disc set) to their outputs, safely:
///
/// - a file output is written beside its final name and renamed over it only
///   when every image of the set is complete, flushed and (optionally) read
///   back; on any failure every temporary is removed and old files stay;
/// - a device is opened exclusively and checked before a byte is written;
/// - blobs are verified while the image streams (`ExportOptions.verifyBlobs`),
///   before anything is committed.
public final class Exporter {
    private let options: ExportOptions
    private let blobs: BlobReader
    private let mediaPaths: [String: String]
    private let message: (String) -> Void

    /// `mediaPaths` maps a blob's path to a media file that uses it, so that
    /// errors name the file as well as the blob. `message` receives the
    /// informational lines (standard error in the CLI).
    public init(options: ExportOptions, blobs: BlobReader = BlobReader(), mediaPaths: [String: String] = [:],
                message: @escaping (String) -> Void) {
        self.options = options
        self.blobs = blobs
        self.mediaPaths = mediaPaths
        self.message = message
    }

    public func export(_ images: [ExportImage]) throws -> [ExportResult] {
        try checkOutputs(images)
        var opened: [ImageOutput] = []
        var results: [ExportResult] = []
        do {
            for image in images {
                let output = try ImageOutput.open(image.output, imageSize: image.layout.size, force: options.force)
                opened.append(output)
                if let device = output.device {
                    message("writing \(DeviceText.describe(device)) at \(device.path)")
                    if device.isPartition { message("note: \(device.path) is a partition; the image holds its own partition table") }
                }
                if options.writeChecksumFile, output.kind != .file {
                    throw ExportError.optionNeedsFile(option: "--checksum", output: output.display)
                }
                if options.verifyWritten, output.kind == .pipe {
                    throw ExportError.optionNeedsFile(option: "--verify-written", output: output.display)
                }
                let title = image.title.isEmpty ? Self.shortName(output.display) : image.title
                let progress = ProgressReporter(style: options.progress, total: image.layout.size, title: title)
                var statistics: ImageWriteStatistics
                do {
                    statistics = try ImageWriter(layout: image.layout, output: output, blobs: blobs, options: options,
                                                 progress: progress, mediaPaths: mediaPaths,
                                                 expectedDigests: image.expectedDigests).run()
                    try output.finish(size: image.layout.size)
                    statistics.seconds = progress.elapsedSeconds
                    progress.finish(image.layout.size)
                } catch {
                    progress.abandon()
                    throw error
                }
                if options.verifyWritten, let expected = statistics.sha256 {
                    let actual = try readBack(output, size: image.layout.size)
                    guard actual == expected else {
                        throw ExportError.writtenMismatch(output: output.display, expected: expected, actual: actual)
                    }
                    message("\(output.display): read back, SHA-256 matches")
                }
                results.append(ExportResult(output: output.display, statistics: statistics))
            }
            // Every image is complete: only now do new files replace old ones.
            for output in opened { try output.commit() }
        } catch {
            for output in opened { output.discard() }
            // "Nothing written" is true of files only; say what a pipe or a device holds.
            if let error = error as? ExportError, let partial = opened.first(where: \.wroteAny) {
                switch error {
                case .blobMismatch, .blobChanged, .interrupted: throw ExportError.incomplete(error, output: partial.display)
                default: break
                }
            }
            throw error
        }
        if options.writeChecksumFile {
            for result in results {
                guard let sha = result.statistics.sha256 else { continue }
                let line = "\(sha)  \(Self.shortName(result.output))\n"
                do { try FileSystem.writeAtomically(result.output + ".sha256", bytes: Array(line.utf8)) } catch let error as SystemError {
                    throw ExportError.system(error, context: "the image itself was written")
                }
            }
        }
        return results
    }

    /// Refuses, before anything is opened, what cannot work for a set.
    private func checkOutputs(_ images: [ExportImage]) throws {
        guard images.count > 1 else { return }
        for image in images {
            if image.output == "-" || BlockDevice.deviceNumber(image.output) != nil {
                throw ExportError.setNeedsFile(discs: images.count, output: image.output == "-" ? "standard output" : image.output)
            }
        }
    }

    private func readBack(_ output: ImageOutput, size: UInt64) throws -> String {
        let hash = ImageHash()
        let progress = ProgressReporter(style: options.progress, total: size, title: "read back")
        var done: UInt64 = 0
        try output.readBack(size: size, bufferSize: options.bufferSize) { bytes in
            hash.update(bytes)
            done += UInt64(bytes.count)
            progress.update(done)
        }
        progress.finish(done)
        return hash.finalize()
    }

    static func shortName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}
