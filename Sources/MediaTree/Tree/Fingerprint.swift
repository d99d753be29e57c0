import Crypto
import RegionMap

extension MediaTree {
    /// SHA-256 over everything that decides the media's bytes: the label, every
    /// path, size, time and attribute, and each file's content identity (a blob's
    /// recorded hash, else its path; synthesized bytes themselves). Image
    /// producers derive volume serials and IDs from it, so the same inputs give
    /// the same image and different inputs different serials.
    public var fingerprint: [UInt8] {
        var hasher = SHA256()
        func add(_ s: String) { hasher.update(data: Array(s.utf8) + [0]) }
        add(label)
        add("\(root.modified.seconds).\(root.modified.nanoseconds)")
        forEachNode { path, node in
            add(path)
            add("\(node.modified.seconds).\(node.modified.nanoseconds)")
            if case .file(let f) = node {
                add("\(f.size) \(f.attributes.rawValue)")
                switch f.source {
                case .blob(let b): add(b.sha256 ?? b.path)
                case .bytes(let s): hasher.update(data: s.bytes)
                }
            }
        }
        return Array(hasher.finalize())
    }

    /// The first 4 bytes of the fingerprint, little-endian: a volume serial.
    public var serialNumber: UInt32 {
        let f = fingerprint
        return UInt32(f[0]) | UInt32(f[1]) << 8 | UInt32(f[2]) << 16 | UInt32(f[3]) << 24
    }
}
