import Crypto
import Dispatch
import RegionMap
import Synchronization
import SystemIO

/// A digest a blob's bytes must have, as upper- or lower-case hex.
///
/// The library records a SHA-256 for each blob (`Blob.sha256`); a layout
/// producer may add more for the blobs it uses (a WIM names its resources by
/// SHA-1), through `ExportImage.expectedDigests`. Every digest of a blob is
/// computed in the same pass over its bytes.
public enum BlobDigest: Sendable, Hashable {
    case sha256(String)
    case sha1(String)

    var expected: String {
        switch self { case .sha256(let hex), .sha1(let hex): return hex.uppercased() }
    }
}

/// One blob to check and the digests it must have.
struct BlobCheck: Sendable {
    let blob: Blob
    let digests: [BlobDigest]

    /// The distinct blobs of `layout` in the order the image first uses them,
    /// each with its recorded SHA-256, the SHA-1 its layout names it by (`Blob.sha1`,
    /// a WIM's) and the `extra` digests given for its path.
    static func all(in layout: Layout, extra: [String: [BlobDigest]]) -> [BlobCheck] {
        var seen = Set<String>()
        var checks: [BlobCheck] = []
        layout.forEachSegment(offset: 0, count: layout.size) { segment in
            guard case .blob(let blob, _, _) = segment, seen.insert(blob.path).inserted else { return }
            var digests = blob.sha256.map { [BlobDigest.sha256($0)] } ?? []
            // The SHA-1 a WIM names the blob by (from mediafs's SHA-1 cache, not the library).
            if let sha1 = blob.sha1 { digests.append(.sha1(sha1)) }
            for digest in extra[blob.path] ?? [] where !digests.contains(digest) { digests.append(digest) }
            checks.append(BlobCheck(blob: blob, digests: digests))
        }
        return checks
    }
}

/// Checks an image's library blobs against their digests on every core while
/// the image streams, and stops the export at the first damaged one.
///
/// Why not hash the bytes as they pass through the writer's buffers: SHA-256
/// cannot split one blob across cores, so a large blob (a 3 GiB install.wim)
/// hashed in passing holds every buffer of the ring until its one hashing
/// thread has caught up — the writer waits on one core, whatever the others
/// could do. Instead each lane (one per core) reads whole blobs itself through
/// the same `BlobReader` (the same open descriptor the writer copies from, so
/// a blob replaced under its path cannot be checked in place of the one
/// written) and hashes them, largest first, so the longest hash starts at
/// once and the small ones fill the other cores around it. The writer never
/// waits for a lane; the output is committed only once `finish` has returned.
///
/// Memory is one buffer per lane, whatever the image size and however far the
/// lanes lag behind the writer: a lag costs no memory, only the wait in
/// `finish` at the end. The second read of each byte comes from the page cache
/// that the writer's read filled (or fills it for the writer), so its cost is
/// a memory copy, not a disk read.
///
/// With several damaged blobs the one reported is always the same: the first
/// in the lanes' order (largest first, then image order). A lane stops a blob
/// that comes after a failed one in that order, and finishes one that comes
/// before it, so the earliest failure is always found.
final class BlobVerifier: @unchecked Sendable {
    private let checks: [BlobCheck]
    private let blobs: BlobReader
    private let mediaPaths: [String: String]
    private let lanes: Int
    private let bufferSize: Int
    private let threads = DispatchGroup()

    private struct State {
        /// The next check (index into `checks`) a lane takes.
        var next = 0
        /// The earliest failed check, in the lanes' order, and its error.
        var failure: (index: Int, error: any Error)?
        var verified = 0
        var cancelled = false
        /// Each checked blob's status (fstat of the descriptor it was hashed
        /// from) taken before its first byte was read, by check index.
        var statusBefore: [Int: FileStatus] = [:]
    }
    private let state = Mutex(State())
    /// `failure?.index`, or `Int.max`, readable without the lock on every buffer.
    private let firstFailed = Atomic<Int>(Int.max)
    private var started = false

    /// Blobs with neither a recorded hash nor an added digest (a tree made from a plain folder).
    let uncheckedCount: Int

    /// `lanes` threads (one per core) each read `bufferSize` bytes at a time;
    /// 256 KiB stays in a core's cache between the copy and the hash.
    init(checks: [BlobCheck], blobs: BlobReader, mediaPaths: [String: String],
         lanes: Int = ParallelWork.processorCount, bufferSize: Int = 256 << 10) {
        let checked = checks.filter { !$0.digests.isEmpty }
        uncheckedCount = checks.count - checked.count
        // Largest first (the longest hash starts at once); then in image order.
        let ordered = checked.enumerated().sorted { a, b in
            a.element.blob.size != b.element.blob.size ? a.element.blob.size > b.element.blob.size : a.offset < b.offset
        }.map(\.element)
        self.checks = ordered
        self.blobs = blobs
        self.mediaPaths = mediaPaths
        self.lanes = max(1, min(lanes, ordered.count))
        self.bufferSize = bufferSize
    }

    /// Starts the lanes, each on a thread of its own (a serial queue targets
    /// the overcommitting root queue, so lanes never wait for a pool slot
    /// held by the ring's writer).
    func start() {
        guard !started, !checks.isEmpty else { return }
        started = true
        for lane in 0 ..< lanes {
            DispatchQueue(label: "mediafs.export.verify\(lane)").async(group: threads) { [self] in runLane() }
        }
    }

    /// The failure found so far, if any: the writer polls it to stop early.
    var failure: (any Error)? { state.withLock { $0.failure?.error } }

    /// Waits for every lane, then throws the earliest failure. Returns the
    /// number of blobs verified. Called once the writer has read every byte.
    ///
    /// A lane may hash a blob long before the writer copies it (a slow output,
    /// a USB stick): a blob written to in place in between would go out
    /// unchecked. So each verified blob's status (size, mtime, inode) must
    /// still be the one it had before it was hashed; a change throws
    /// `ExportError.blobChanged`.
    func finish() throws -> Int {
        let verified = try waitForLanes()
        try checkUnchanged()
        return verified
    }

    /// `finish` without the status check: waits for every lane, throws the earliest failure.
    func waitForLanes() throws -> Int {
        if started { threads.wait() }
        started = false
        let (failure, verified) = state.withLock { ($0.failure, $0.verified) }
        if let failure { throw failure.error }
        return verified
    }

    /// Throws `ExportError.blobChanged` for the first checked blob whose status is not the one it was hashed with.
    func checkUnchanged() throws {
        let before = state.withLock { $0.statusBefore }
        for (index, status) in before.sorted(by: { $0.key < $1.key }) {
            let blob = checks[index].blob
            guard try self.status(of: blob) == status else { throw ExportError.blobChanged(blob, mediaPath: mediaPaths[blob.path]) }
        }
    }

    /// The blob's status (fstat of its descriptor); a failure as the export's error, naming the media file.
    private func status(of blob: Blob) throws -> FileStatus {
        do { return try blobs.open(blob).status() } catch let error as BlobError {
            throw ExportError.blob(error, mediaPath: mediaPaths[blob.path])
        } catch let error as SystemError {
            throw ExportError.blob(.unreadable(blob, error), mediaPath: mediaPaths[blob.path])
        }
    }

    /// After an error elsewhere: lanes drop what they are doing and end.
    func cancel() {
        state.withLock { $0.cancelled = true }
        firstFailed.store(-1, ordering: .releasing)
        if started { threads.wait() }
        started = false
    }

    private func runLane() {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 4096)
        defer { buffer.deallocate() }
        while true {
            let taken: Int? = state.withLock { s in
                guard !s.cancelled, s.failure == nil, s.next < checks.count else { return nil }
                s.next += 1
                return s.next - 1
            }
            guard let index = taken else { return }
            do {
                guard try check(checks[index], index: index, buffer: buffer) else { continue }
                state.withLock { $0.verified += 1 }
            } catch {
                state.withLock { s in
                    if s.failure.map({ index < $0.index }) ?? true {
                        s.failure = (index, error)
                        firstFailed.store(index, ordering: .releasing)
                    }
                }
            }
        }
    }

    /// Hashes the whole blob and compares. Returns false when it stopped
    /// because an earlier blob (in the lanes' order) failed or the export ended.
    private func check(_ check: BlobCheck, index: Int, buffer: UnsafeMutableRawBufferPointer) throws -> Bool {
        let blob = check.blob
        // What `finish` compares with once the writer is done (see there).
        let status = try self.status(of: blob)
        state.withLock { $0.statusBefore[index] = status }
        var hashers = MultiHasher(check.digests)
        var offset: UInt64 = 0
        while offset < blob.size {
            if firstFailed.load(ordering: .acquiring) < index { return false }
            let part = UnsafeMutableRawBufferPointer(rebasing: buffer[0 ..< Int(min(UInt64(buffer.count), blob.size - offset))])
            do { try blobs.read(blob, at: offset, into: part) } catch let error as BlobError {
                throw ExportError.blob(error, mediaPath: mediaPaths[blob.path])
            }
            hashers.update(UnsafeRawBufferPointer(part))
            offset += UInt64(part.count)
        }
        for (digest, actual) in zip(check.digests, hashers.finalize()) where actual != digest.expected {
            throw ExportError.blobMismatch(blob, mediaPath: mediaPaths[blob.path], expected: digest.expected, actual: actual)
        }
        return true
    }
}

/// The digests of one blob, computed together in one pass over its bytes.
private struct MultiHasher {
    private var sha256: SHA256?
    private var sha1: Insecure.SHA1?
    private let order: [BlobDigest]

    init(_ digests: [BlobDigest]) {
        order = digests
        for digest in digests {
            switch digest {
            case .sha256: sha256 = SHA256()
            case .sha1: sha1 = Insecure.SHA1()
            }
        }
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        sha256?.update(bufferPointer: bytes)
        sha1?.update(bufferPointer: bytes)
    }

    /// Upper-case hex, one per digest asked for, in the order asked.
    func finalize() -> [String] {
        let sha256Hex = sha256.map { Hex.upper($0.finalize()) }
        let sha1Hex = sha1.map { Hex.upper($0.finalize()) }
        return order.map { digest in
            switch digest {
            case .sha256: return sha256Hex ?? ""
            case .sha1: return sha1Hex ?? ""
            }
        }
    }
}
