import Crypto
import RegionMap

/// Checks library blobs against their recorded SHA-256 while their bytes
/// stream past, so each blob is read once.
///
/// A blob is usually one segment of the image, but may be split across several
/// (a multi-extent ISO file), so the hash runs per blob across its segments.
/// That works when a blob's bytes pass in order, from its first byte to its
/// last, which every producer does today. When they do not (a segment that
/// does not start where the blob's previous one ended), the blob is put aside
/// and checked by a separate read at the end, before the output is committed:
/// slower, never wrong.
final class BlobVerifier {
    private struct Running {
        let blob: Blob
        var hasher: SHA256
        var next: UInt64
    }
    private var running: [String: Running] = [:]
    private var readSeparately: [String: Blob] = [:]
    private let mediaPaths: [String: String]

    private(set) var verifiedCount = 0
    /// Blobs the library gives no hash for (plain folders): streamed unchecked.
    private(set) var uncheckedCount = 0
    var separateCount: Int { readSeparately.count }

    init(mediaPaths: [String: String]) {
        self.mediaPaths = mediaPaths
    }

    /// Feeds the bytes of `blob` that start `offset` bytes into it.
    func consume(_ blob: Blob, offset: UInt64, bytes: UnsafeRawBufferPointer) throws {
        guard let expected = blob.sha256 else {
            if offset == 0 { uncheckedCount += 1 }
            return
        }
        if readSeparately[blob.path] != nil { return }
        var state: Running
        if let current = running[blob.path] {
            guard current.next == offset else { return putAside(blob) }
            state = current
        } else {
            guard offset == 0 else { return putAside(blob) }
            state = Running(blob: blob, hasher: SHA256(), next: 0)
        }
        state.hasher.update(bufferPointer: bytes)
        state.next += UInt64(bytes.count)
        if state.next == blob.size {
            running[blob.path] = nil
            try compare(blob, expected: expected, digest: state.hasher.finalize())
        } else {
            running[blob.path] = state
        }
    }

    /// Checks what could not be checked in passing: blobs whose bytes came out
    /// of order, and blobs only part of which is in the image.
    func finish(blobs: BlobReader, bufferSize: Int) throws {
        for (path, state) in running where readSeparately[path] == nil { readSeparately[path] = state.blob }
        running.removeAll()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 4096)
        defer { buffer.deallocate() }
        for path in readSeparately.keys.sorted() {
            guard let blob = readSeparately[path], let expected = blob.sha256 else { continue }
            var hasher = SHA256()
            var offset: UInt64 = 0
            while offset < blob.size {
                let part = UnsafeMutableRawBufferPointer(rebasing: buffer[0 ..< Int(min(UInt64(bufferSize), blob.size - offset))])
                do { try blobs.read(blob, at: offset, into: part) } catch let error as BlobError {
                    throw ExportError.blob(error, mediaPath: mediaPaths[blob.path])
                }
                hasher.update(bufferPointer: UnsafeRawBufferPointer(part))
                offset += UInt64(part.count)
            }
            try compare(blob, expected: expected, digest: hasher.finalize())
        }
    }

    private func putAside(_ blob: Blob) {
        running[blob.path] = nil
        readSeparately[blob.path] = blob
    }

    private func compare(_ blob: Blob, expected: String, digest: SHA256.Digest) throws {
        let actual = Hex.upper(digest)
        let expected = expected.uppercased()
        guard actual == expected else {
            throw ExportError.blobMismatch(blob, mediaPath: mediaPaths[blob.path], expected: expected, actual: actual)
        }
        verifiedCount += 1
    }
}

enum Hex {
    static func upper<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    static func lower<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        upper(bytes).lowercased()
    }
}
