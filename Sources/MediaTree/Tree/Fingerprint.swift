import Crypto
import RegionMap
import Synchronization

extension MediaTree {
    /// SHA-256 over everything that decides the media's bytes: the label, every
    /// path, size, time and attribute, and each file's content identity (a blob's
    /// recorded hash, else its path; synthesized bytes themselves). Image
    /// producers derive volume serials and IDs from it, so the same inputs give
    /// the same image and different inputs different serials.
    ///
    /// The hashed stream, in node order (parents before children, names in
    /// UTF-8 order), each text followed by a NUL byte:
    ///   label; root time `seconds.nanoseconds`; then per node its path
    ///   (`a/b/c`), its time, and for a file `size attributes` (decimal) and
    ///   the blob's hash (or path), or the synthesized bytes (no NUL after them).
    /// It is assembled in one buffer, without a String per node: with 100,000
    /// files that was a twentieth of mounting.
    public var fingerprint: [UInt8] {
        fingerprintMemo.value { computeFingerprint() }
    }

    private func computeFingerprint() -> [UInt8] {
        var stream = FingerprintStream()
        stream.add(label)
        stream.addTime(root.modified)
        var path: [UInt8] = []
        func walk(_ directory: MediaDirectory) {
            for child in directory.children {
                let mark = path.count
                path.append(contentsOf: child.name.utf8)
                stream.add(path)
                stream.addTime(child.modified)
                switch child {
                case .file(let f):
                    stream.addDecimal(f.size)
                    stream.addByte(UInt8(ascii: " "))
                    stream.addDecimal(UInt64(f.attributes.rawValue))
                    stream.addByte(0)
                    switch f.source {
                    case .blob(let b): stream.add(b.sha256 ?? b.path)
                    case .bytes(let s): stream.addRaw(s.bytes)
                    }
                case .directory(let d):
                    path.append(UInt8(ascii: "/"))
                    walk(d)
                }
                path.removeSubrange(mark...)
            }
        }
        walk(root)
        return stream.finish()
    }

    /// The first 4 bytes of the fingerprint, little-endian: a volume serial.
    public var serialNumber: UInt32 {
        let f = fingerprint
        return UInt32(f[0]) | UInt32(f[1]) << 8 | UInt32(f[2]) << 16 | UInt32(f[3]) << 24
    }
}

/// The fingerprint's bytes, hashed 64 KiB at a time.
private struct FingerprintStream {
    private var hasher = SHA256()
    private var buffer: [UInt8] = []
    private static let chunk = 64 * 1024

    init() { buffer.reserveCapacity(Self.chunk + 4096) }

    /// Text and its NUL.
    mutating func add(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        addByte(0)
    }

    /// Bytes of text and their NUL.
    mutating func add(_ bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        addByte(0)
    }

    /// `seconds.nanoseconds` and its NUL.
    mutating func addTime(_ t: Timestamp) {
        addSigned(t.seconds)
        addByte(UInt8(ascii: "."))
        addSigned(Int64(t.nanoseconds))
        addByte(0)
    }

    mutating func addSigned(_ value: Int64) {
        if value < 0 { addByte(UInt8(ascii: "-")) }
        addDecimal(value.magnitude)
    }

    /// Decimal digits, as string interpolation writes them.
    mutating func addDecimal(_ value: UInt64) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)   // room for 20 digits, written backwards
        var count = 0
        var v = value
        withUnsafeMutableBytes(of: &digits) { raw in
            repeat {
                raw[23 - count] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
                count += 1
            } while v > 0
            buffer.append(contentsOf: raw[(24 - count)...])
        }
    }

    mutating func addByte(_ byte: UInt8) {
        buffer.append(byte)
        if buffer.count >= Self.chunk { flush() }
    }

    /// Bytes as they are (synthesized file contents: no NUL).
    mutating func addRaw(_ bytes: [UInt8]) {
        flush()
        hasher.update(data: bytes)
    }

    private mutating func flush() {
        buffer.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        buffer.removeAll(keepingCapacity: true)
    }

    mutating func finish() -> [UInt8] {
        flush()
        return Array(hasher.finalize())
    }
}

/// Holds a tree's fingerprint once computed (a class: a `MediaTree` is a value).
final class FingerprintMemo: Sendable {
    private let stored = Mutex<[UInt8]?>(nil)

    func value(_ compute: () -> [UInt8]) -> [UInt8] {
        if let known = stored.withLock({ $0 }) { return known }
        let computed = compute()  // outside the lock: two threads may both compute it, to the same bytes
        stored.withLock { $0 = computed }
        return computed
    }
}
