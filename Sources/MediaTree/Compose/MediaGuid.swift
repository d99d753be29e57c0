import SystemIO
import Crypto

/// GUIDs derived from the inputs, never random: the same spec and content give
/// the same media, and a change in either gives a new GUID.
enum DerivedGuid {
    /// A version-8 (custom) RFC 9562 UUID from the first 16 bytes of SHA-256(parts joined by NUL),
    /// upper case, without braces: `6F0C1A2B-…`.
    static func make(_ parts: [[UInt8]]) -> String {
        var hasher = SHA256()
        for part in parts {
            hasher.update(data: part)
            hasher.update(data: [0])
        }
        var b = Array(hasher.finalize().prefix(16))
        b[6] = (b[6] & 0x0F) | 0x80
        b[8] = (b[8] & 0x3F) | 0x80
        let h = Hex.upper(b)
        let u = Array(h.utf8)
        func part(_ r: Range<Int>) -> String { String(decoding: u[r], as: UTF8.self) }
        return [part(0..<8), part(8..<12), part(12..<16), part(16..<20), part(20..<32)].joined(separator: "-")
    }
}
