import ContentLibrary
import enum Crypto.Insecure  // (Crypto also has a SHA256Digest: the library's is meant here)
import MediaTree
import RegionMap
import Synchronization
import SystemIO
import WIMImage

/// The SHA-1 of every library blob of a tree, which a WIM needs before its
/// first byte (it names content by SHA-1; the library records SHA-256): taken
/// from the SHA-1 cache, the missing ones computed once — on every core, the
/// largest blobs first — and added to the cache. Reads blobs, never copies them.
public enum SHA1Pass {
    /// Called with (bytes hashed so far, bytes to hash), from one thread at a time.
    public typealias Progress = @Sendable (UInt64, UInt64) -> Void

    public struct Report: Sendable {
        /// Files whose blob's SHA-1 came from the cache (a blob shared by several counts for each).
        public var cachedFiles = 0
        public var computedBlobs = 0
        public var computedBytes: UInt64 = 0
        public var threads = 0
        public var seconds = 0.0
        /// Why the new SHA-1s could not be added to the cache (they were still used).
        public var cacheProblem: String?
    }

    public static func run(_ tree: MediaTree, cache: SHA1Cache?, progress: Progress? = nil) throws -> (BlobSHA1s, Report) {
        var report = Report()
        // Distinct contents the cache does not know, each with the first media file
        // that uses it (for messages). A media path is made only for these, and a
        // cached SHA-1 is not copied: a mount of 100,000 files with the cache warm
        // looks each blob up once here (and once more in the WIM's plan).
        var missing: [(blob: Blob, path: String)] = []
        var pending = Set<BlobSHA1s.Key>()
        var loaded: [SHA256Digest: SHA1Cache.Entry]?
        tree.forEachFileInFolder { folder, file in
            guard case .blob(let blob) = file.source, blob.size > 0 else { return }
            let key = BlobSHA1s.key(blob)
            if case .content(let sha256, let size) = key {
                if loaded == nil { loaded = cache?.load() ?? [:] }
                if let entry = loaded?[sha256], entry.size == size {
                    report.cachedFiles += 1
                    return
                }
            }
            guard !pending.contains(key) else { return }
            pending.insert(key)
            missing.append((blob, folder + file.name))
        }
        var result = BlobSHA1s(cached: loaded ?? [:])
        guard !missing.isEmpty else { return (result, report) }

        // Largest first, so the big ones start early and the small ones fill the gaps.
        missing.sort { $0.blob.size != $1.blob.size ? $0.blob.size > $1.blob.size : $0.blob.path < $1.blob.path }
        let total = missing.reduce(UInt64(0)) { $0 + $1.blob.size }
        let started = monotonicMilliseconds()
        let work = Work(jobs: missing, total: total, progress: progress)
        let workers = min(ParallelWork.processorCount, missing.count)
        ParallelWork.run(workers: workers) { _ in work.hashAll() }
        let state = work.state.withLock { $0 }
        if let failure = state.failure { throw failure }

        var newEntries: [(sha256: SHA256Digest, size: UInt64, sha1: SHA1Digest)] = []
        for (i, item) in missing.enumerated() {
            guard let sha1 = state.digests[i] else { continue }
            let key = BlobSHA1s.key(item.blob)
            result.computed[key] = sha1
            if case .content(let sha256, let size) = key { newEntries.append((sha256, size, sha1)) }
        }
        report.computedBlobs = missing.count
        report.computedBytes = total
        report.threads = workers
        report.seconds = Double(monotonicMilliseconds() - started) / 1000
        if let cache, !newEntries.isEmpty {
            do { try cache.append(newEntries) } catch {
                report.cacheProblem = "\(cache.path): the SHA-1s were not cached: \(error)"
            }
        }
        return (result, report)
    }

    /// Jobs shared by the worker threads: each takes the next blob until none is left.
    private final class Work: Sendable {
        struct State {
            var next = 0
            var done: UInt64 = 0
            var digests: [SHA1Digest?]
            var failure: SHA1PassError?
        }
        let jobs: [(blob: Blob, path: String)]
        let total: UInt64
        let progress: Progress?
        let state: Mutex<State>
        static let bufferSize = 4 << 20

        init(jobs: [(blob: Blob, path: String)], total: UInt64, progress: Progress?) {
            self.jobs = jobs
            self.total = total
            self.progress = progress
            state = Mutex(State(digests: [SHA1Digest?](repeating: nil, count: jobs.count)))
        }

        func hashAll() {
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.bufferSize, alignment: 4096)
            defer { buffer.deallocate() }
            while true {
                let index: Int? = state.withLock { s in
                    guard s.failure == nil, s.next < jobs.count else { return nil }
                    s.next += 1
                    return s.next - 1
                }
                guard let index else { return }
                let (blob, mediaPath) = jobs[index]
                do {
                    let digest = try hash(blob, buffer: buffer)
                    state.withLock { $0.digests[index] = digest }
                } catch {
                    state.withLock { s in
                        if s.failure == nil { s.failure = SHA1PassError(mediaPath: mediaPath, blob: blob.path, reason: "\(error)") }
                    }
                    return
                }
            }
        }

        func hash(_ blob: Blob, buffer: UnsafeMutableRawBufferPointer) throws -> SHA1Digest {
            let file = try blob.open()
            let actual = try file.status().size
            guard actual == blob.size else {
                throw SHA1PassError.Reason("it is \(actual) bytes, the library records \(blob.size)")
            }
            var hasher = Insecure.SHA1()
            var offset: UInt64 = 0
            while offset < blob.size {
                let part = UnsafeMutableRawBufferPointer(rebasing: buffer[0 ..< Int(min(UInt64(buffer.count), blob.size - offset))])
                try file.readExactly(into: part, at: offset)
                hasher.update(bufferPointer: UnsafeRawBufferPointer(part))
                offset += UInt64(part.count)
                let done = state.withLock { s in s.done += UInt64(part.count); return s.done }
                if let progress { state.withLock { _ in progress(done, total) } }
            }
            guard let digest = SHA1Digest(Array(hasher.finalize())) else { throw SHA1PassError.Reason("SHA-1 is not 20 bytes") }
            return digest
        }
    }
}

public struct SHA1PassError: Error, CustomStringConvertible {
    public let mediaPath: String
    public let blob: String
    public let reason: String

    struct Reason: Error, CustomStringConvertible {
        let description: String
        init(_ text: String) { description = text }
    }

    public var description: String { "\(mediaPath): cannot compute the SHA-1 of its blob \(blob): \(reason)" }
}

/// The SHA-1 of each blob of a tree, as the SHA-1 pass found them: the cache's
/// entries (by SHA-256, each for a blob of the size it records) and what the
/// pass computed, by content (SHA-256 and size) for library blobs — a key of
/// five words, where a blob's path is a String of ~100 bytes to hash and
/// compare — and by path for a blob with no SHA-256 (a plain file).
public struct BlobSHA1s: Sendable {
    public enum Key: Hashable, Sendable {
        case content(SHA256Digest, size: UInt64)
        case path(String)
    }

    let cached: [SHA256Digest: SHA1Cache.Entry]
    var computed: [Key: SHA1Digest] = [:]

    init(cached: [SHA256Digest: SHA1Cache.Entry]) { self.cached = cached }

    /// The key of a blob: its content when it records a SHA-256, else its path.
    public static func key(_ blob: Blob) -> Key {
        if let text = blob.sha256, let sha256 = SHA256Digest(hex: text) { return .content(sha256, size: blob.size) }
        return .path(blob.path)
    }

    /// The SHA-1 of `blob`'s content, when the cache had it or the pass computed it.
    public subscript(blob: Blob) -> SHA1Digest? {
        let key = Self.key(blob)
        if !computed.isEmpty, let sha1 = computed[key] { return sha1 }
        if case .content(let sha256, let size) = key, let entry = cached[sha256], entry.size == size { return entry.sha1 }
        return nil
    }
}
