/// A SHA-256 as its 32 bytes: how hashes are held in bulk. As text (64
/// upper-case hex digits, the library's spelling) a hash is a String of two
/// allocations; a package or a mount of 100,000 files keeps these instead and
/// spells the text out when it is needed.
public struct SHA256Digest: Hashable, Sendable {
    /// The bytes, big-endian, 8 at a time.
    private let w0, w1, w2, w3: UInt64

    /// The first two bytes (the blob's `FileLib/<first 4 digits>` folder).
    public var firstTwoBytes: UInt16 { UInt16(truncatingIfNeeded: w0 >> 48) }

    /// All zero bits (a placeholder, not the hash of anything known).
    public static let zero = SHA256Digest(words: 0, 0, 0, 0)

    private init(words w0: UInt64, _ w1: UInt64, _ w2: UInt64, _ w3: UInt64) {
        (self.w0, self.w1, self.w2, self.w3) = (w0, w1, w2, w3)
    }

    /// From 64 hex digits of either case; nil for anything else.
    public init?(hex bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count == 64, let base = bytes.baseAddress else { return nil }
        let (w0, ok0) = Self.word(base)
        let (w1, ok1) = Self.word(base + 16)
        let (w2, ok2) = Self.word(base + 32)
        let (w3, ok3) = Self.word(base + 48)
        guard ok0 && ok1 && ok2 && ok3 else { return nil }
        (self.w0, self.w1, self.w2, self.w3) = (w0, w1, w2, w3)
    }

    /// 16 hex digits → 8 bytes, and whether they all were hex digits.
    @inline(__always)
    private static func word(_ p: UnsafePointer<UInt8>) -> (UInt64, Bool) {
        let (high, ok1) = half(UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
        let (low, ok2) = half(UnsafeRawPointer(p + 8).loadUnaligned(as: UInt64.self))
        return (UInt64(high) << 32 | UInt64(low), ok1 && ok2)
    }

    /// 8 hex digits, loaded as one little-endian word (first digit in the low
    /// byte), → their 32-bit value, all 8 at once (this runs for every file of
    /// a package). A digit's value is its low 4 bits, plus 9 for a letter
    /// (bit 6 set); `c ≥ k` for every byte below 0x80 is the top bit of
    /// `c + 0x80 - k` (no carry crosses bytes).
    @inline(__always)
    private static func half(_ x: UInt64) -> (UInt32, Bool) {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let tops: UInt64 = 0x8080_8080_8080_8080
        func atLeast(_ v: UInt64, _ k: UInt8) -> UInt64 { (v &+ ones &* UInt64(0x80 - k)) & tops }
        let lower = x | (ones &* 0x20)
        let digit = atLeast(x, UInt8(ascii: "0")) & ~atLeast(x, UInt8(ascii: "9") + 1)
        let letter = atLeast(lower, UInt8(ascii: "a")) & ~atLeast(lower, UInt8(ascii: "f") + 1)
        let valid = x & tops == 0 && (digit | letter) == tops
        // Values 0-15, one per byte, first digit in the low byte.
        let values = (x & (ones &* 0x0F)) &+ ((x >> 6) & ones) &* 9
        // Pairs of bytes → one byte (first digit high), then the 4 bytes side by side.
        var packed = ((values << 4) | (values >> 8)) & 0x00FF_00FF_00FF_00FF
        packed = (packed | packed >> 8) & 0x0000_FFFF_0000_FFFF
        packed = (packed | packed >> 16) & 0x0000_0000_FFFF_FFFF
        return (UInt32(truncatingIfNeeded: packed).byteSwapped, valid)
    }

    /// The hash as 64 upper-case hex digits is exactly `bytes` (which `init(hex:)` read).
    public static func isUpperCase(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        // Of hex digits, only 'a'-'f' are at or above 'a'.
        var lower: UInt8 = 0
        for c in bytes { lower |= c >= UInt8(ascii: "a") ? 1 : 0 }
        return lower == 0
    }

    /// From 64 hex digits of either case; nil for anything else.
    public init?(hex text: String) {
        var text = text
        guard let digest = text.withUTF8({ SHA256Digest(hex: $0) }) else { return nil }
        self = digest
    }

    /// The 64 upper-case hex digits, written into `out` (64 bytes).
    public func writeUpperHex(into out: UnsafeMutableBufferPointer<UInt8>) {
        let digits: StaticString = "0123456789ABCDEF"
        func put(_ word: UInt64, at start: Int) {
            for i in 0..<16 {
                out[start + i] = digits.utf8Start[Int(truncatingIfNeeded: word >> UInt64(60 - 4 * i) & 15)]
            }
        }
        put(w0, at: 0)
        put(w1, at: 16)
        put(w2, at: 32)
        put(w3, at: 48)
    }

    /// The 64 upper-case hex digits.
    public var upperHex: String {
        String(unsafeUninitializedCapacity: 64) { out in
            writeUpperHex(into: UnsafeMutableBufferPointer(rebasing: out[0..<64]))
            return 64
        }
    }
}
