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
    /// Blobs checked by a separate read because their bytes did not stream in order.
    public var separatelyVerifiedBlobs = 0
    /// Blobs with no recorded hash (a tree made from a plain folder).
    public var uncheckedBlobs = 0
    public var seconds: Double = 0
    public var copyPath: CopyPath = .readWrite
}

/// Streams one layout into one output, in order.
///
/// The layout is walked with `forEachSegment`, the read path the FUSE view
/// uses too, so the exported bytes are the mounted bytes by construction.
/// Segments are gathered into buffers; a full buffer becomes a job whose
/// steps — write it, add it to the image's SHA-256, feed its blob pieces to the
/// verifier — run in parallel on other threads while the next buffer is
/// filled. Two buffers alternate, so memory is two buffers whatever the image size.
///
/// Without hashing, a large blob segment may instead go through the kernel
/// (`CopyPath`); zeros in a regular file become holes.
final class ImageWriter {
    private let layout: Layout
    private let output: ImageOutput
    private let blobs: BlobReader
    private let options: ExportOptions
    private let progress: ProgressReporter
    private let mediaPaths: [String: String]

    /// Zero runs at least this long become holes (a regular file) rather than written bytes.
    static let holeThreshold: UInt64 = 64 << 10
    /// Blob segments at least this long go through the kernel path, when one is chosen.
    static let kernelThreshold: UInt64 = 256 << 10

    init(layout: Layout, output: ImageOutput, blobs: BlobReader, options: ExportOptions,
         progress: ProgressReporter, mediaPaths: [String: String]) {
        self.layout = layout
        self.output = output
        self.blobs = blobs
        self.options = options
        self.progress = progress
        self.mediaPaths = mediaPaths
    }

    func run() throws -> ImageWriteStatistics {
        let hashing = options.hashImage || options.verifyBlobs
        var path = options.copyPath.resolved(for: output.kind, hashing: hashing)
        if path == .splice && !output.isPipe { path = .sendfile }
        var statistics = ImageWriteStatistics()
        statistics.size = layout.size
        statistics.copyPath = path

        let bufferSize = max(64 << 10, options.bufferSize)
        let buffers = [Chunk(capacity: bufferSize), Chunk(capacity: bufferSize)]
        let pipeline = Pipeline()
        let imageHash = options.hashImage ? ImageHash() : nil
        let verifier = options.verifyBlobs ? LockedVerifier(BlobVerifier(mediaPaths: mediaPaths)) : nil
        let output = self.output
        var current = 0
        var chunk = buffers[current]
        chunk.reset(at: 0)
        var position: UInt64 = 0   // image offset of the next byte to place

        // Hands the filled buffer to the pipeline and switches to the other one,
        // whose previous job `submit` has waited for.
        func flush() throws {
            guard chunk.count > 0 else { return }
            let job = chunk
            var steps: [@Sendable () throws -> Void] = [{
                try output.write(UnsafeRawBufferPointer(rebasing: job.memory[0 ..< job.count]), at: job.offset)
            }]
            if let imageHash { steps.append { imageHash.update(UnsafeRawBufferPointer(rebasing: job.memory[0 ..< job.count])) } }
            if let verifier, !job.pieces.isEmpty { steps.append { try verifier.consume(job) } }
            try pipeline.submit(steps)
            current = 1 - current
            chunk = buffers[current]
            chunk.reset(at: position)
            progress.update(position)
        }

        func checkInterrupt() throws {
            if let signal = Interrupts.received { throw ExportError.interrupted(signal: Interrupts.name(signal)) }
        }

        // A run of zeros: a hole in a file (hashed from a zero buffer), or written zeros.
        func zeroRun(_ length: UInt64) throws {
            try flush()
            let start = position
            var steps: [@Sendable () throws -> Void] = [{ try output.zeros(length, at: start) }]
            if let imageHash { steps.append { imageHash.updateZeros(length) } }
            try pipeline.submit(steps)
            if output.holesAllowed { statistics.holeBytes += length }
            position += length
            chunk.reset(at: position)
            progress.update(position)
        }

        // Copies a segment's bytes into buffers, flushing each one that fills.
        func fill(_ segment: Segment) throws {
            var done: UInt64 = 0
            let length = segment.length
            while done < length {
                if chunk.free == 0 { try flush() }
                let n = Int(min(UInt64(chunk.free), length - done))
                let target = UnsafeMutableRawBufferPointer(rebasing: chunk.memory[chunk.count ..< chunk.count + n])
                switch segment {
                case .blob(let blob, let offset, _):
                    do { try blobs.read(blob, at: offset + done, into: target) } catch let error as BlobError {
                        throw ExportError.blob(error, mediaPath: mediaPaths[blob.path])
                    }
                    if verifier != nil { chunk.pieces.append(BlobPiece(blob: blob, offset: offset + done, range: chunk.count ..< chunk.count + n)) }
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
                        try checkInterrupt()
                    }
                case .blob(let blob, let offset, let length) where path != .readWrite && length >= Self.kernelThreshold:
                    try flush()
                    try pipeline.drain()
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
                    chunk.reset(at: position)
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
            try pipeline.drain()
            progress.update(position)
        } catch {
            pipeline.drainIgnoringErrors()
            throw error
        }

        if let verifier {
            try verifier.finish(blobs: blobs, bufferSize: bufferSize)
            statistics.verifiedBlobs = verifier.verifier.verifiedCount
            statistics.separatelyVerifiedBlobs = verifier.verifier.separateCount
            statistics.uncheckedBlobs = verifier.verifier.uncheckedCount
        }
        statistics.sha256 = imageHash?.finalize()
        return statistics
    }
}

/// A blob's bytes inside a buffer, for the verifier.
struct BlobPiece {
    let blob: Blob
    let offset: UInt64
    let range: Range<Int>
}

/// One of the two buffers. Filled by the walking thread, then read by the
/// job's steps; never both at once (the pipeline waits for a buffer's job
/// before it is filled again), hence unchecked Sendable.
final class Chunk: @unchecked Sendable {
    let memory: UnsafeMutableRawBufferPointer
    var count = 0
    var offset: UInt64 = 0
    var pieces: [BlobPiece] = []

    init(capacity: Int) {
        // Page-aligned, so a write from it can be as direct as the kernel allows.
        memory = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 4096)
    }
    deinit { memory.deallocate() }

    var free: Int { memory.count - count }

    func reset(at offset: UInt64) {
        count = 0
        self.offset = offset
        pieces.removeAll(keepingCapacity: true)
    }
}

/// Runs a job's steps in parallel; the next job starts only when the previous
/// one is done, which keeps writes, hashes and verification in image order.
final class Pipeline: @unchecked Sendable {
    private let queue = DispatchQueue(label: "mediafs.export", attributes: .concurrent)
    private var group: DispatchGroup?
    private let failure = Mutex<(any Error)?>(nil)

    func submit(_ steps: [@Sendable () throws -> Void]) throws {
        try drain()
        let group = DispatchGroup()
        for step in steps {
            queue.async(group: group) { [self] in
                do { try step() } catch { record(error) }
            }
        }
        self.group = group
    }

    private func record(_ error: any Error) {
        failure.withLock { if $0 == nil { $0 = error } }
    }

    /// Waits for the running job; rethrows the first error of any step.
    func drain() throws {
        group?.wait()
        group = nil
        if let error = failure.withLock({ $0 }) { throw error }
    }

    func drainIgnoringErrors() {
        group?.wait()
        group = nil
    }
}

/// The image's running SHA-256; updated by one job step at a time.
final class ImageHash: @unchecked Sendable {
    private var hasher = SHA256()
    private static let zeros = [UInt8](repeating: 0, count: 1 << 20)

    func update(_ bytes: UnsafeRawBufferPointer) { hasher.update(bufferPointer: bytes) }

    func updateZeros(_ count: UInt64) {
        var left = count
        Self.zeros.withUnsafeBytes { zeros in
            while left > 0 {
                let n = Int(min(UInt64(zeros.count), left))
                hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: zeros[0 ..< n]))
                left -= UInt64(n)
            }
        }
    }

    func finalize() -> String { Hex.lower(hasher.finalize()) }
}

/// The verifier as a job step: one step at a time touches it.
final class LockedVerifier: @unchecked Sendable {
    let verifier: BlobVerifier
    init(_ verifier: BlobVerifier) { self.verifier = verifier }

    func consume(_ chunk: Chunk) throws {
        for piece in chunk.pieces {
            try verifier.consume(piece.blob, offset: piece.offset,
                                 bytes: UnsafeRawBufferPointer(rebasing: chunk.memory[piece.range]))
        }
    }

    func finish(blobs: BlobReader, bufferSize: Int) throws {
        try verifier.finish(blobs: blobs, bufferSize: bufferSize)
    }
}
