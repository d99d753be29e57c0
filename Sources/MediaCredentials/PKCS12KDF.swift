import Crypto

/// The PKCS#12 key derivation function (RFC 7292 appendix B.2), which the MAC
/// (ID 3) and the legacy `pbeWithSHAAnd…` ciphers (ID 1 key, ID 2 IV) use.
/// No library we may use exposes it; the hashing is swift-crypto's.
enum PKCS12KDF {
    enum Purpose: UInt8 {
        case key = 1
        case iv = 2
        case mac = 3
    }

    enum Digest {
        case sha1, sha256, sha384, sha512

        /// u: the hash output size; v: the hash block size (bytes).
        var outputSize: Int {
            switch self {
            case .sha1: 20
            case .sha256: 32
            case .sha384: 48
            case .sha512: 64
            }
        }

        var blockSize: Int {
            switch self {
            case .sha1, .sha256: 64
            case .sha384, .sha512: 128
            }
        }

        func hash(_ bytes: [UInt8]) -> [UInt8] {
            switch self {
            case .sha1: Array(Insecure.SHA1.hash(data: bytes))
            case .sha256: Array(SHA256.hash(data: bytes))
            case .sha384: Array(SHA384.hash(data: bytes))
            case .sha512: Array(SHA512.hash(data: bytes))
            }
        }
    }

    /// The password as PKCS#12 hashes it: a BMPString (UTF-16 big-endian)
    /// with a two-byte NUL terminator.
    static func bmpPassword(_ password: String) -> [UInt8] {
        var bytes: [UInt8] = []
        for unit in password.utf16 {
            bytes.append(UInt8(unit >> 8))
            bytes.append(UInt8(unit & 0xFF))
        }
        return bytes + [0, 0]
    }

    /// `count` bytes of key material, following RFC 7292 B.2 step by step.
    static func derive(digest: Digest, purpose: Purpose, password: [UInt8], salt: [UInt8],
                       iterations: Int, count: Int) -> [UInt8] {
        let u = digest.outputSize
        let v = digest.blockSize
        // 1. D: v copies of the ID.
        let diversifier = [UInt8](repeating: purpose.rawValue, count: v)
        // 2-4. I = S ‖ P, each the input repeated to a multiple of v bytes.
        func stretched(_ input: [UInt8]) -> [UInt8] {
            guard !input.isEmpty else { return [] }
            let length = v * ((input.count + v - 1) / v)
            return (0..<length).map { input[$0 % input.count] }
        }
        var i = stretched(salt) + stretched(password)
        var output: [UInt8] = []
        output.reserveCapacity(count + u)
        let rounds = max(iterations, 1)
        while output.count < count {
            // 6a. A = H^r(D ‖ I).
            var a = digest.hash(diversifier + i)
            for _ in 1..<rounds { a = digest.hash(a) }
            output += a
            if output.count >= count { break }
            // 6b-c. B = A repeated to v bytes; each v-byte block of I becomes (I_j + B + 1) mod 2^(8v).
            let b = (0..<v).map { a[$0 % u] }
            var block = 0
            while block < i.count {
                var carry: UInt16 = 1
                for k in stride(from: v - 1, through: 0, by: -1) {
                    let sum = UInt16(i[block + k]) + UInt16(b[k]) + carry
                    i[block + k] = UInt8(sum & 0xFF)
                    carry = sum >> 8
                }
                block += v
            }
        }
        return Array(output.prefix(count))
    }
}
