import ArgumentParser
import Export
import Foundation
import MediaEngine
import RegionMap
import SystemIO

/// `mediafs verify SPEC TARGET`: is TARGET (an image file, a stick) what the
/// spec's media should be? Names the first difference in the media's terms.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Compare a written image or USB stick with the media a spec describes.",
        discussion: """
        TARGET is an image file or a block device, written by 'mediafs export', by dd from the \
        mounted image, or by another tool. It is read whole and compared with the image the spec \
        makes; the first difference is named by what it is on the media: the file it belongs to \
        (and its byte), a FAT, a directory, the boot sector, the partition table, … Without \
        --format, the image is the one of TARGET's size (a device may be larger: then the one whose \
        first 64 KiB match). Exit status 0: equal; 1: different, or an error.
        """)

    @Argument(help: "The media spec file.")
    var spec: String

    @Argument(help: "The image file or block device to check.")
    var target: String

    @Option(help: "usb or iso: which of the spec's images TARGET holds (default: found from TARGET).")
    var format: ExportCommand.Format?

    @Option(help: "For an ISO disc set: the disc number TARGET holds (default: found from TARGET).")
    var disc: Int?

    @Option(help: "auto (a bar on a terminal), bar, plain (a line every few seconds, for logs) or none.")
    var progress: ProgressStyle = .automatic

    // For Scripts/bench: one thread reading and comparing in turn, or a reader thread beside the comparer.
    @Option(name: .customLong("threads"), help: .hidden)
    var threads = 2

    func run() throws {
        let build = try MediaEngine(specPath: spec, environment: ProcessInfo.processInfo.environment).load()
        for warning in build.warnings { Console.printWarning(warning) }
        var images: [MediaImage] = []
        for kind in format.map({ [$0 == .usb ? ImageFormat.usb : .iso] }) ?? [.usb, .iso] {
            images += try build.images(format: kind)
        }
        if let disc { images = images.filter { $0.disc == disc } }
        guard !images.isEmpty else { throw ValidationError("the spec makes no disc \(disc ?? 0)") }

        let file = try OpenFile(path: target)
        let (size, isDevice) = try ImageComparer.targetSize(file)
        let image = try choose(images, target: file, size: size, isDevice: isDevice)
        let result = try ImageComparer.compare(image.layout, target: file, progress: progress,
                                               title: "verify \(image.name)", threads: threads)
        let name = "\(image.format == .usb ? "USB image" : "ISO image") \(image.name)"
        switch result.outcome {
        case .equal:
            print("\(target): equal to the \(name) (\(counted(image.layout.size, "byte")) in \(result.seconds.formatted2) s)")
        case .differs(let difference):
            print("\(target): differs from the \(name) at \(difference)")
            throw ExitCode.failure
        case .tooShort(let targetSize):
            print("\(target): \(counted(targetSize, "byte")), shorter than the \(name) (\(counted(image.layout.size, "byte"))); equal up to its end")
            throw ExitCode.failure
        case .tooLong(let targetSize):
            print("\(target): \(counted(targetSize, "byte")), longer than the \(name) (\(counted(image.layout.size, "byte"))); equal up to the image's end")
            throw ExitCode.failure
        }
    }

    /// The image TARGET holds: the only candidate; else the one of its exact size
    /// (a file); else (a device, or several of one size) the one whose first
    /// 64 KiB match TARGET's (MBR, boot sector, ISO volume descriptors).
    private func choose(_ images: [MediaImage], target: OpenFile, size: UInt64, isDevice: Bool) throws -> MediaImage {
        if images.count == 1 { return images[0] }
        let sized = images.filter { isDevice ? $0.layout.size <= size : $0.layout.size == size }
        if sized.count == 1 { return sized[0] }
        let head = 64 << 10
        var have = [UInt8](repeating: 0, count: head)
        let got = try have.withUnsafeMutableBytes { try target.read(into: $0, at: 0) }
        let matching = try (sized.isEmpty ? images : sized).filter { image in
            let want = try image.layout.read(at: 0, count: head, blobs: BlobReader())
            return want.count <= got && Array(have[0 ..< want.count]) == want
        }
        if matching.count == 1 { return matching[0] }
        let sizes = images.map { "\($0.name) (\(counted($0.layout.size, "byte")))" }.joined(separator: ", ")
        throw ValidationError("\(target.path) (\(counted(size, "byte"))): cannot tell which image it holds among \(sizes); give --format (and --disc)")
    }
}
