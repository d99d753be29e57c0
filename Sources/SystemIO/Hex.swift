/// Hexadecimal text of bytes and numbers: hashes, fingerprints, identities,
/// code points and machine numbers in messages. The one encoder; here because
/// SystemIO is the module every other depends on (it makes no system call).
public enum Hex {
    private static let upperDigits: [UInt8] = Array("0123456789ABCDEF".utf8)
    private static let lowerDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Two upper-case digits per byte ("BA7816BF…").
    public static func upper<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        encode(bytes, upperDigits)
    }

    /// Two lower-case digits per byte ("ba7816bf…").
    public static func lower<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        encode(bytes, lowerDigits)
    }

    /// `value` in upper-case hex, zeros in front up to `digits` ("0A", "8664", "1F600").
    public static func upper<T: BinaryInteger>(_ value: T, digits: Int) -> String {
        let s = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - s.count)) + s
    }

    /// `value` in lower-case hex, zeros in front up to `digits` ("0a", "cbf29ce484222325").
    public static func lower<T: BinaryInteger>(_ value: T, digits: Int) -> String {
        let s = String(value, radix: 16, uppercase: false)
        return String(repeating: "0", count: max(0, digits - s.count)) + s
    }

    private static func encode<S: Sequence>(_ bytes: S, _ digits: [UInt8]) -> String where S.Element == UInt8 {
        // Straight into the String's storage when the bytes are contiguous (arrays, digests).
        let direct: String? = bytes.withContiguousStorageIfAvailable { input in
            String(unsafeUninitializedCapacity: input.count * 2) { out in
                for (i, b) in input.enumerated() {
                    out[2 * i] = digits[Int(b >> 4)]
                    out[2 * i + 1] = digits[Int(b & 15)]
                }
                return input.count * 2
            }
        }
        if let direct { return direct }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
