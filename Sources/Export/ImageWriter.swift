import Crypto
import Dispatch
import RegionMap
import Synchronization
import SystemIO

/// What one image's export did, for the summary line and the benchmarks.
public struct ImageWriteStatistics: Sendable {
    public var size: UInt64 = 0
    /// Lower-case hex SHA-256 of the image, when it was hashed.
    public var sha256: String?
    /// Zero bytes left as holes in a regular file instead of written.
    public var holeBytes: UInt64 = 0
    /// Bytes the kernel copied (copy_file_range, sendfile, splice).
    public var kernelBytes: UInt64 = 0
    public var verifiedBlobs = 0
    /// Always 0 now that every blob is checked by a read of its own (kept so
    /// that summaries reading it need not change).
    public var separatelyVerifiedBlobs = 0
    /// Blobs with no recorded hash (a tree made from a plain folder).
    public var uncheckedBlobs = 0
    public var seconds: Double = 0
    public var copyPath: CopyPath = .readWrite
    /// Whether the bytes were written around the page cache (O_DIRECT).
    public var directWrites = false
}

/// Streams one layout into one output, in order.
///
/// The layout is walked with `forEachSegment`, the read path the FUSE view
/// uses too, so the exported bytes are the mounted bytes by construction.
/// The walking thread reads the segments into the buffers of a `BufferRing`;
/// a thread of its own writes each buffer (and, when asked, another adds it
/// to the image's SHA-256), each at its own pace. The blobs are verified
/// beside the stream by a `BlobVerifier` on every core, which the writer never
/// waits for until the end. Memory is the ring's few buffers and one buffer
/// per verifying lane, whatever the image size.
///
/// Why this shape (measured with `Scripts/bench export`, README "Benchmarks",
/// Export): hashing is the cost, on as few as two cores. Each byte is hashed
/// once by default (its blob's check); the image's SHA-256, a second pass on
/// one thread, only when `--checksum` or `--verify-written` needs it. Writes
/// bypass the page cache when the output allows
/// (`ImageOutput.startDirectWrites`): copying the image into it cost as much
/// CPU as a hash.
///
/// When the image is not hashed, a large blob segment may instead go through
/// the kernel (`CopyPath`); zeros in a regular file become holes.
final class ImageWriter {
    private let layout: Layout
    private let output: ImageOutput
    private let blobs: BlobReader
    private let options: ExportOptions
    private let progress: ProgressReporter
    private let mediaPaths: [String: String]
    private let expectedDigests: [String: [BlobDigest]]

    /// Zero runs at least this long become holes (a regular file) rather than written bytes.
    static let holeThreshold: UInt64 = 64 << 10
    /// Blob segments at least this long go through the kernel path, when one is chosen.
    static let kernelThreshold: UInt64 = 256 << 10

    init(layout: Layout, output: ImageOutput, blobs: BlobReader, options: ExportOptions,
         progress: ProgressReporter, mediaPaths: [String: String], expectedDigests: [String: [BlobDigest]] = [:]) {
        self.layout = layout
        self.output = output
        self.blobs = blobs
        self.options = options
        self.progress = progress
        self.mediaPaths = mediaPaths
        self.expectedDigests = expectedDigests
    }

    func run() throws -> ImageWriteStatistics {
        var path = options.copyPath.resolved(for: output.kind, hashing: options.hashImage)
        if path == .splice && !output.isPipe { path = .sendfile }
        var statistics = ImageWriteStatistics()
        statistics.size = layout.size
        statistics.copyPath = path

        let bufferSize = max(64 << 10, options.bufferSize)
        let imageHash = options.hashImage ? ImageHash() : nil
        let verifier = options.verifyBlobs
            ? BlobVerifier(checks: BlobCheck.all(in: layout, extra: expectedDigests), blobs: blobs, mediaPaths: mediaPaths)
            : nil
        let output = self.output

        // Each consumer sees every buffer, in image order, on its own thread.
        var consumers: [BufferRing.Consumer] = [{ slot in
            if slot.zeroRun > 0 { try output.zeros(slot.zeroRun, at: slot.offset) } else { try output.write(slot.bytes, at: slot.offset) }
        }]
        if let imageHash {
            consumers.append { slot in
                if slot.zeroRun > 0 { imageHash.updateZeros(slot.zeroRun) } else { imageHash.update(slot.bytes) }
            }
        }
        let ring = BufferRing(count: max(2, options.bufferCount), capacity: bufferSize, consumers: consumers)
        verifier?.start()
        ring.start()
        if path == .readWrite && options.directWrites { output.startDirectWrites() }

        var slot: RingSlot?        // the buffer being filled
        var position: UInt64 = 0   // image offset of the next byte to place

        // An interrupt, or a damaged blob found by the verifier: stop streaming.
        func checkInterrupt() throws {
            if let signal = Interrupts.received { throw ExportError.interrupted(signal: Interrupts.name(signal)) }
            if let failure = verifier?.failure { throw failure }
        }

        // Hands the buffer being filled to the consumers.
        func flush() throws {
            guard slot != nil else { return }
            slot = nil
            ring.publish()
            progress.update(ring.completedOffset)
            try checkInterrupt()
        }

        // A run of zeros: a hole in a file (hashed from a zero buffer), or written zeros.
        func zeroRun(_ length: UInt64) throws {
            try flush()
            let run = try ring.acquire(at: position)
            run.zeroRun = length
            slot = run
            try flush()
            if output.holesAllowed { statistics.holeBytes += length }
            position += length
        }

        // Copies a segment's bytes into buffers, publishing each one that fills.
        func fill(_ segment: Segment) throws {
            var done: UInt64 = 0
            let length = segment.length
            while done < length {
                if let full = slot, full.free == 0 { try flush() }
                let chunk: RingSlot
                if let slot { chunk = slot } else {
                    chunk = try ring.acquire(at: position)
                    slot = chunk
                }
                let n = Int(min(UInt64(chunk.free), length - done))
                let target = chunk.unfilled(n)
                switch segment {
                case .blob(let blob, let offset, _):
                    do { try blobs.read(blob, at: offset + done, into: target) } catch let error as BlobError {
                        throw ExportError.blob(error, mediaPath: mediaPaths[blob.path])
                    }
                case .bytes(let shared, let range):
                    shared.bytes.withUnsafeBytes { source in
                        target.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[(range.lowerBound + Int(done)) ..< (range.lowerBound + Int(done) + n)]))
                    }
                case .zeros:
                    target.initializeMemory(as: UInt8.self, repeating: 0)
                case .generated(let generator, let offset, _):
                    generator.generate(at: offset + done, into: target)
                }
                chunk.count += n
                done += UInt64(n)
                position += UInt64(n)
            }
        }

        do {
            try layout.forEachSegment(offset: 0, count: layout.size) { segment in
                try checkInterrupt()
                switch segment {
                case .zeros(let length) where length >= Self.holeThreshold:
                    // Split, so that progress moves and an interrupt is seen during a long run.
                    var left = length
                    while left > 0 {
                        let part = min(left, 256 << 20)
                        try zeroRun(part)
                        left -= part
                    }
                case .blob(let blob, let offset, let length) where path != .readWrite && length >= Self.kernelThreshold:
                    try flush()
                    try ring.drain()
                    let source: OpenFile
                    do { source = try blobs.open(blob) } catch let error as BlobError {
                        throw ExportError.blob(error, mediaPath: mediaPaths[blob.path])
                    }
                    let base = position
                    let copied: UInt64
                    do {
                        copied = try output.kernelCopy(from: source, at: offset, count: length, to: position, path: path) { n in
                            progress.update(base + n)
                        }
                    } catch let error as SystemError {
                        throw ExportError.blob(BlobError.unreadable(blob, error), mediaPath: mediaPaths[blob.path])
                    }
                    statistics.kernelBytes += copied
                    position += copied
                    if copied < length {
                        // The kernel could not do it here (another filesystem…): read and write the rest.
                        path = .readWrite
                        statistics.copyPath = .readWrite
                        try fill(.blob(blob, offset: offset + copied, length: length - copied))
                    }
                default:
                    try fill(segment)
                }
            }
            try flush()
            try ring.finish()
            statistics.directWrites = output.writesDirect
            progress.update(position)
            if let verifier {
                // The image is written; it counts only once every blob is checked.
                statistics.verifiedBlobs = try verifier.finish()
                statistics.uncheckedBlobs = verifier.uncheckedCount
            }
        } catch {
            ring.cancel()
            verifier?.cancel()
            throw error
        }
        statistics.sha256 = imageHash?.finalize()
        return statistics
    }
}

/// The image's running SHA-256; updated by its one consumer thread, in image order.
final class ImageHash: @unchecked Sendable {
    private var hasher = SHA256()

    func update(_ bytes: UnsafeRawBufferPointer) { hasher.update(bufferPointer: bytes) }

    func updateZeros(_ count: UInt64) {
        var left = count
        let zeros = Zeros.megabyte
        while left > 0 {
            let n = Int(min(UInt64(zeros.count), left))
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: zeros[0 ..< n]))
            left -= UInt64(n)
        }
    }

    func finalize() -> String { Hex.lower(hasher.finalize()) }
}
