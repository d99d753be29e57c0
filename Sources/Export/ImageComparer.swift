#if canImport(Glibc)
import Glibc  // memcmp
#endif
import RegionMap
import Synchronization
import SystemIO

/// `mediafs verify`: reads a written image (a file, a stick) and compares it
/// with the layout it should hold, stopping at the first differing byte and
/// naming it in the media's terms through the layout's region labels.
///
/// Two threads: one reads the target into a ring of buffers (so the device
/// never waits for the comparison), the other fills the same range from the
/// layout (the same `Layout.read` the mount uses) and compares. Memory is the
/// ring and one buffer, whatever the image's size.
public enum ImageComparer {
    public struct Difference: Sendable, CustomStringConvertible {
        /// Offset of the first differing byte in the image.
        public let offset: UInt64
        /// What that byte is: "file SMS/PKG/…/x.bin, its byte 4,096", "FAT #1", …
        public let what: String
        public let expected: UInt8
        public let found: UInt8

        public var description: String {
            "byte \(offset) (\(what)): expected \(Self.hex(expected)), found \(Self.hex(found))"
        }

        static func hex(_ b: UInt8) -> String { "0x" + Hex.upper(b, digits: 2) }
    }

    public enum Outcome: Sendable {
        case equal
        case differs(Difference)
        /// The target ends before the image does (a regular file, or a device too small).
        case tooShort(targetSize: UInt64)
        /// A regular file with bytes after the image's end.
        case tooLong(targetSize: UInt64)
    }

    public struct Result: Sendable {
        public let outcome: Outcome
        /// Bytes compared (all of the image when equal).
        public let bytesCompared: UInt64
        public let seconds: Double
    }

    static let bufferSize = 4 << 20
    static let ringCount = 4

    /// The size of `target` (a block device's BLKGETSIZE64, a file's length) and whether it is a device.
    public static func targetSize(_ file: OpenFile) throws -> (size: UInt64, isDevice: Bool) {
        let status = try file.status()
        if status.kind == .blockDevice { return (try BlockDevice.size(of: file), true) }
        return (status.size, false)
    }

    /// Compares `target` with `layout`. A block device may be larger than the
    /// image (a stick larger than the media: only the image's bytes count); a
    /// regular file must be the image's size. Errors (unreadable target or blob) throw.
    /// `threads` 2: a reader thread and a comparing one (the default); 1: one
    /// thread reads, fills and compares in turn (for the bench's comparison).
    public static func compare(_ layout: Layout, target: OpenFile, progress style: ProgressStyle,
                               title: String, threads: Int = 2, blobs: BlobReader = BlobReader()) throws -> Result {
        let (targetSize, isDevice) = try targetSize(target)
        // A device's pages may still be in the page cache from the write: read the device itself.
        if isDevice { target.dropCache() }
        let progress = ProgressReporter(style: style, total: layout.size, title: title)
        let compared = min(targetSize, layout.size)

        let ring = (0 ..< ringCount).map { _ in
            UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: OpenFile.directIOAlignment)
        }
        let expected = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: OpenFile.directIOAlignment)
        defer {
            ring.forEach { $0.deallocate() }
            expected.deallocate()
        }
        let chunkCount = Int((compared + UInt64(bufferSize) - 1) / UInt64(bufferSize))
        let shared = SharedState(ring: ring, expected: expected, progress: progress)

        if threads < 2 {
            shared.compareChunks(layout, chunks: chunkCount, compared: compared, blobs: blobs, reading: target)
        } else {
            ParallelWork.run(workers: 2) { worker in
                if worker == 1 { shared.readTarget(target, chunks: chunkCount, compared: compared) } else {
                    shared.compareChunks(layout, chunks: chunkCount, compared: compared, blobs: blobs, reading: nil)
                }
            }
        }
        let (found, done) = shared.outcome.withLock { $0 }
        var outcome = found
        if let error = shared.failure.withLock({ $0 }) {
            progress.abandon()
            throw error
        }
        if case .equal = outcome {
            if targetSize < layout.size {
                outcome = .tooShort(targetSize: targetSize)
            } else if targetSize > layout.size && !isDevice {
                outcome = .tooLong(targetSize: targetSize)
            }
        }
        if case .equal = outcome { progress.finish(done) } else { progress.abandon() }
        return Result(outcome: outcome, bytesCompared: done, seconds: progress.elapsedSeconds)
    }

    /// What the two threads share. Each ring slot belongs to one thread at a
    /// time: the reader fills slot k % ringCount for chunk k once `consumed`
    /// says the comparer is done with chunk k - ringCount; `filled` hands it over.
    private final class SharedState: @unchecked Sendable {
        let ring: [UnsafeMutableRawBufferPointer]
        let expected: UnsafeMutableRawBufferPointer
        let progress: ProgressReporter
        let filled = Atomic<Int>(0)
        let consumed = Atomic<Int>(0)
        let stop = Atomic<Bool>(false)
        let failure = Mutex<(any Error)?>(nil)
        /// The comparer's answer and the bytes found equal.
        let outcome = Mutex<(Outcome, UInt64)>((.equal, 0))

        init(ring: [UnsafeMutableRawBufferPointer], expected: UnsafeMutableRawBufferPointer, progress: ProgressReporter) {
            self.ring = ring
            self.expected = expected
            self.progress = progress
        }

        private func fail(_ error: any Error) {
            failure.withLock { if $0 == nil { $0 = error } }
            stop.store(true, ordering: .relaxed)
        }

        private func span(of chunk: Int, compared: UInt64) -> (offset: UInt64, length: Int) {
            let offset = UInt64(chunk) * UInt64(ImageComparer.bufferSize)
            return (offset, Int(min(UInt64(ImageComparer.bufferSize), compared - offset)))
        }

        func readTarget(_ target: OpenFile, chunks: Int, compared: UInt64) {
            for chunk in 0 ..< chunks {
                while chunk - consumed.load(ordering: .acquiring) >= ImageComparer.ringCount {
                    if stop.load(ordering: .relaxed) { return }
                    ParallelWork.pause()
                }
                if stop.load(ordering: .relaxed) { return }
                let (offset, length) = span(of: chunk, compared: compared)
                let slot = UnsafeMutableRawBufferPointer(rebasing: ring[chunk % ImageComparer.ringCount][0 ..< length])
                do { try target.readExactly(into: slot, at: offset) } catch { return fail(error) }
                filled.store(chunk + 1, ordering: .releasing)
            }
        }

        /// With `reading`, this thread reads each chunk of the target itself first (no reader thread).
        func compareChunks(_ layout: Layout, chunks: Int, compared: UInt64, blobs: BlobReader, reading target: OpenFile?) {
            var equalBytes: UInt64 = 0
            for chunk in 0 ..< chunks {
                let (offset, length) = span(of: chunk, compared: compared)
                if let target {
                    let slot = UnsafeMutableRawBufferPointer(rebasing: ring[chunk % ImageComparer.ringCount][0 ..< length])
                    do { try target.readExactly(into: slot, at: offset) } catch { return fail(error) }
                } else {
                    while filled.load(ordering: .acquiring) <= chunk {
                        if stop.load(ordering: .relaxed) { return }
                        ParallelWork.pause()
                    }
                }
                let want = UnsafeMutableRawBufferPointer(rebasing: expected[0 ..< length])
                let have = UnsafeRawBufferPointer(rebasing: ring[chunk % ImageComparer.ringCount][0 ..< length])
                do { _ = try layout.read(at: offset, into: want, blobs: blobs) } catch { return fail(error) }
                if let index = ImageComparer.firstDifference(UnsafeRawBufferPointer(want), have) {
                    let at = offset + UInt64(index)
                    let difference = Difference(offset: at, what: ImageComparer.describe(layout, at),
                                                expected: want[index], found: have[index])
                    outcome.withLock { $0 = (.differs(difference), at) }
                    stop.store(true, ordering: .relaxed)
                    return
                }
                consumed.store(chunk + 1, ordering: .releasing)
                equalBytes = offset + UInt64(length)
                outcome.withLock { $0.1 = equalBytes }
                progress.update(equalBytes)
            }
        }
    }

    /// Index of the first byte where `a` and `b` (of equal counts) differ. Equal
    /// chunks — nearly all of them — are settled by libc's memcmp (vector code:
    /// the compare costs a fraction of the copy that filled `a`); a chunk that
    /// differs is searched eight bytes at a time, then by the byte.
    static func firstDifference(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int? {
        let count = min(a.count, b.count)
        guard count > 0, let pa = a.baseAddress, let pb = b.baseAddress else { return nil }
        if memcmp(pa, pb, count) == 0 { return nil }
        var i = 0
        while i + 8 <= count {
            if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) { break }
            i += 8
        }
        while i < count {
            if a[i] != b[i] { return i }
            i += 1
        }
        return nil
    }

    /// "file X, its byte N" for a file's bytes; the region's own words otherwise.
    static func describe(_ layout: Layout, _ offset: UInt64) -> String {
        let text = layout.describe(offset: offset)
        if let (region, inside) = layout.innermostRegion(containing: offset), case .file? = region.label {
            var fileOffset = inside
            switch region.content {
            case .blob(_, let start): fileOffset += start
            case .bytes(_, let start): fileOffset += UInt64(start)
            default: break
            }
            return text + ", its byte \(fileOffset)"
        }
        return text
    }
}
