import SystemIO
import Synchronization

/// Reads blob ranges through a bounded cache of open file descriptors, so a
/// blob is not reopened for every read. Safe to share between threads.
///
/// An evicted descriptor is closed only when the last reader holding it lets
/// go (`OpenFile` closes on deinit), never under a read in progress.
public final class BlobReader: Sendable {
    private struct Cache {
        var files: [String: (file: OpenFile, lastUse: UInt64)] = [:]
        var clock: UInt64 = 0
    }
    private let cache = Mutex(Cache())
    public let capacity: Int

    public init(capacity: Int = 256) {
        self.capacity = max(1, capacity)
    }

    /// The open file of `blob`, opened and checked against the recorded size on first use.
    public func open(_ blob: Blob) throws -> OpenFile {
        if let file = cache.withLock({ c -> OpenFile? in
            guard let entry = c.files[blob.path] else { return nil }
            c.clock += 1
            c.files[blob.path] = (entry.file, c.clock)
            return entry.file
        }) { return file }

        let file: OpenFile
        do { file = try blob.open() } catch { throw BlobError.wrapping(blob, error) }
        let actual: UInt64
        do { actual = try file.status().size } catch { throw BlobError.wrapping(blob, error) }
        guard actual == blob.size else { throw BlobError.sizeMismatch(blob, actual: actual) }

        cache.withLock { c in
            c.clock += 1
            if c.files.count >= capacity, c.files[blob.path] == nil,
               let oldest = c.files.min(by: { $0.value.lastUse < $1.value.lastUse })?.key {
                c.files[oldest] = nil
            }
            c.files[blob.path] = (file, c.clock)
        }
        return file
    }

    /// Forgets every cached descriptor (a new snapshot, a blob known to have changed).
    public func flush() {
        cache.withLock { $0.files.removeAll() }
    }

    /// Forgets the descriptor of one blob.
    public func forget(_ blob: Blob) {
        _ = cache.withLock { $0.files.removeValue(forKey: blob.path) }
    }

    public var openCount: Int { cache.withLock { $0.files.count } }

    /// Fills `buffer` with the blob's bytes from `offset`; a blob that ends early is an error.
    public func read(_ blob: Blob, at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws {
        let file = try open(blob)
        do { try file.readExactly(into: buffer, at: offset) } catch {
            forget(blob)
            throw BlobError.wrapping(blob, error)
        }
    }
}

public enum BlobError: Error, CustomStringConvertible {
    case unreadable(Blob, SystemError)
    case sizeMismatch(Blob, actual: UInt64)

    public var blob: Blob {
        switch self {
        case .unreadable(let b, _), .sizeMismatch(let b, _): return b
        }
    }

    public var description: String {
        switch self {
        case .unreadable(let blob, let error):
            return "\(blob.path): cannot read: \(error.reason)"
        case .sizeMismatch(let blob, let actual):
            return "\(blob.path): is \(actual) bytes, the library records \(blob.size)"
        }
    }
}

extension BlobError {
    static func wrapping(_ blob: Blob, _ error: any Error) -> BlobError {
        if let e = error as? SystemError { return .unreadable(blob, e) }
        return .unreadable(blob, SystemError("read", path: blob.path, errno: 5))
    }
}
