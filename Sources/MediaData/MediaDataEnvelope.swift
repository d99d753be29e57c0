import Crypto
import _CryptoExtras
import Foundation

/// The cipher of an envelope, by its CryptoAPI ALG_ID (header offset 16).
public enum MediaDataCipher: String, Sendable, CaseIterable {
    case aes128, aes256

    /// CALG_AES_128 / CALG_AES_256.
    public var algorithmID: UInt32 {
        switch self {
        case .aes128: return 0x660E
        case .aes256: return 0x6610
        }
    }

    public var keyBytes: Int {
        switch self {
        case .aes128: return 16
        case .aes256: return 32
        }
    }

    public init?(algorithmID: UInt32) {
        guard let found = MediaDataCipher.allCases.first(where: { $0.algorithmID == algorithmID }) else { return nil }
        self = found
    }
}

/// Why an envelope could not be opened: always names the file (`source`).
public struct MediaDataError: Error, CustomStringConvertible, Sendable, Equatable {
    public let source: String
    public let message: String
    /// The file is well formed but the password does not open it.
    public let isWrongPassword: Bool

    public init(_ source: String, _ message: String, wrongPassword: Bool = false) {
        self.source = source
        self.message = message
        self.isWrongPassword = wrongPassword
    }

    public var description: String { "\(source): \(message)" }
}

/// THE encrypted envelope of `SMS/data/Variables.dat` and stand-alone
/// `SMS/data/Policy.xml`, as Configuration Manager's TsmBootstrap reads it
/// (shared/reference/media-data.md): one encoder, one decoder.
///
///     offset 0   00 00 ED EC        signature
///            4   20                 constant (little-endian 32-bit words from here)
///            8   plaintext length   bytes before the PKCS#7 padding
///           12   ciphertext length  bytes from offset 24
///           16   ALG_ID             0x660E AES-128, 0x6610 AES-256
///           20   0
///           24   ciphertext         AES-CBC, zero IV, PKCS#7
///          end   16 bytes           mediafs writes zeros (readers ignore them; their meaning is not published)
///
/// The key is CryptoAPI's `CryptDeriveKey` expansion of SHA-1(UTF-16LE password).
public enum MediaDataEnvelope {
    public static let signature: [UInt8] = [0x00, 0x00, 0xED, 0xEC]
    public static let headerSize = 24
    /// What mediafs writes after the ciphertext: zeros. A checksum of the plaintext
    /// would let anyone confirm a guessed plaintext without the password.
    public static let trailer = [UInt8](repeating: 0, count: 16)

    /// The published password of media without one (braces included).
    public static let defaultPassword = "{BAC6E688-DE21-4ABE-B7FB-C9F54E6DB664}"

    /// `CryptDeriveKey(CALG_SHA1 hash of the UTF-16LE password)`: SHA-1 of the hash
    /// XOR 0x36 padded to 64 bytes with 0x36, then the same with 0x5C; the first
    /// `length` bytes (16 for AES-128, 32 for AES-256).
    public static func deriveKey(password: String, length: Int) -> [UInt8] {
        let hash = Array(Insecure.SHA1.hash(data: utf16LE(password)))
        func expand(_ pad: UInt8) -> [UInt8] {
            var block = [UInt8](repeating: pad, count: 64)
            for (i, b) in hash.enumerated() { block[i] = b ^ pad }
            return Array(Insecure.SHA1.hash(data: block))
        }
        return Array((expand(0x36) + expand(0x5C)).prefix(length))
    }

    /// The whole file: header, ciphertext of `plaintext`, trailer.
    public static func encrypt(_ plaintext: [UInt8], password: String, cipher: MediaDataCipher) throws -> [UInt8] {
        let key = SymmetricKey(data: deriveKey(password: password, length: cipher.keyBytes))
        let ciphertext = Array(try AES._CBC.encrypt(plaintext, using: key, iv: try zeroIV()))
        var out = signature
        for word in [20, UInt32(plaintext.count), UInt32(ciphertext.count), cipher.algorithmID, 0] as [UInt32] {
            out += withUnsafeBytes(of: word.littleEndian) { Array($0) }
        }
        return out + ciphertext + trailer
    }

    /// The plaintext of a whole file and its cipher. `source` names the file in errors.
    /// A wrong password is told apart from a damaged file by the padding and the
    /// plaintext's start (UTF-16LE `<`).
    public static func decrypt(_ file: [UInt8], password: String, source: String) throws(MediaDataError) -> (plaintext: [UInt8], cipher: MediaDataCipher) {
        // The signature first: a plain file (an XML text, any length) is told as such.
        guard file.count >= signature.count, Array(file[0..<signature.count]) == signature else {
            throw MediaDataError(source, "is not an encrypted media data file (it does not start with 00 00 ED EC)")
        }
        guard file.count >= headerSize else {
            throw MediaDataError(source, "is \(file.count) bytes, shorter than the 24-byte header of an encrypted media data file")
        }
        func word(_ offset: Int) -> UInt32 {
            UInt32(file[offset]) | UInt32(file[offset + 1]) << 8 | UInt32(file[offset + 2]) << 16 | UInt32(file[offset + 3]) << 24
        }
        let plainLength = Int(word(8)), cipherLength = Int(word(12)), algorithm = word(16)
        guard let cipher = MediaDataCipher(algorithmID: algorithm) else {
            let name = algorithm == 0x6603 ? " (3DES, written by old Configuration Manager versions)" : ""
            throw MediaDataError(source, "uses the cipher ALG_ID 0x\(String(algorithm, radix: 16, uppercase: true))\(name); mediafs reads AES-128 (0x660E) and AES-256 (0x6610)")
        }
        guard cipherLength > 0, cipherLength % 16 == 0 else {
            throw MediaDataError(source, "the header's ciphertext length \(cipherLength) is not a positive multiple of 16")
        }
        guard cipherLength <= file.count - headerSize else {
            throw MediaDataError(source, "is truncated: the header announces \(cipherLength) bytes of ciphertext, the file holds \(file.count - headerSize) after the header")
        }
        guard plainLength <= cipherLength, plainLength > cipherLength - 16 else {
            throw MediaDataError(source, "the header's plaintext length \(plainLength) does not fit its ciphertext length \(cipherLength)")
        }
        let key = SymmetricKey(data: deriveKey(password: password, length: cipher.keyBytes))
        let padded: [UInt8]
        do {
            padded = Array(try AES._CBC.decrypt(Array(file[headerSize..<headerSize + cipherLength]), using: key, iv: try zeroIV(), noPadding: true))
        } catch {
            throw MediaDataError(source, "cannot be decrypted: \(error)")
        }
        let wrong = MediaDataError(source, "the password does not open it (wrong password, or the file is damaged)", wrongPassword: true)
        guard let pad = padded.last, pad >= 1, pad <= 16, padded.suffix(Int(pad)).allSatisfy({ $0 == pad }) else { throw wrong }
        let plaintext = Array(padded.dropLast(Int(pad)))
        guard plaintext.count >= 2, plaintext[0] == 0x3C, plaintext[1] == 0x00 else { throw wrong }
        guard plaintext.count == plainLength else {
            throw MediaDataError(source, "decrypts to \(plaintext.count) bytes, but the header says \(plainLength)")
        }
        return (plaintext, cipher)
    }

    static func zeroIV() throws -> AES._CBC.IV {
        try AES._CBC.IV(ivBytes: [UInt8](repeating: 0, count: 16))
    }

    static func utf16LE(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf16.count * 2)
        for unit in text.utf16 { out.append(UInt8(unit & 0xFF)); out.append(UInt8(unit >> 8)) }
        return out
    }
}
