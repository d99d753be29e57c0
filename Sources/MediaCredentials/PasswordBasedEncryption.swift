import Crypto
import _CryptoExtras
import SwiftASN1

/// An algorithm `PKCS12.decode` does not read; `what` is "name (OID)".
struct Unsupported: Error {
    let what: String
}

/// A bag or safe that does not decrypt (bad padding, wrong length) although the MAC matched.
struct DecryptionFailed: Error {
    let what: String
}

/// The password-based encryption schemes of PKCS#12 bags and safes: PBES2
/// (PBKDF2 + AES-CBC or 3DES-CBC, RFC 8018) and the legacy PKCS#12 PBE
/// (RFC 7292 appendix C: the PKCS#12 KDF over SHA-1, then 3DES or RC2).
enum PasswordBasedEncryption {
    /// Encrypts with mediafs's scheme (`PKCS12Choices`): PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC.
    /// Returns the DER AlgorithmIdentifier and the ciphertext.
    static func encryptPBES2(_ plaintext: [UInt8], password: String, salt: [UInt8], iv: [UInt8],
                             iterations: Int) throws -> (algorithm: [UInt8], ciphertext: [UInt8]) {
        let key = try KDF.Insecure.PBKDF2.deriveKey(from: Array(password.utf8), salt: salt, using: .sha256,
                                                    outputByteCount: 32, unsafeUncheckedRounds: iterations)
        let ciphertext = try AES._CBC.encrypt(plaintext, using: key, iv: AES._CBC.IV(ivBytes: iv))
        let algorithm = try ASN1Write.encoded { coder in
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                try coder.serialize(OID.pbes2)
                try coder.appendConstructedNode(identifier: .sequence) { coder in
                    try coder.appendConstructedNode(identifier: .sequence) { coder in
                        try coder.serialize(OID.pbkdf2)
                        try coder.appendConstructedNode(identifier: .sequence) { coder in
                            try ASN1Write.octetString(salt, into: &coder)
                            try coder.serialize(iterations)
                            try ASN1Write.algorithmWithNull(OID.hmacWithSHA256, into: &coder)
                        }
                    }
                    try coder.appendConstructedNode(identifier: .sequence) { coder in
                        try coder.serialize(OID.aes256CBC)
                        try ASN1Write.octetString(iv, into: &coder)
                    }
                }
            }
        }
        return (algorithm, Array(ciphertext))
    }

    /// Decrypts `ciphertext` with the scheme the AlgorithmIdentifier `algorithm` names.
    /// `what` names the bag or safe for errors ("the key bag", "the certificate safe").
    static func decrypt(_ ciphertext: [UInt8], algorithm: ASN1Node, password: String, what: String) throws -> [UInt8] {
        let (oid, parameters) = try ASN1Read.algorithm(algorithm, "\(what): encryption algorithm")
        switch oid {
        case OID.pbes2:
            guard let parameters else { throw Malformed(what: "\(what): PBES2 parameters") }
            return try decryptPBES2(ciphertext, parameters: parameters, password: password, what: what)
        case OID.pbeWithSHAAnd3KeyTripleDESCBC:
            return try decryptLegacy(ciphertext, cipher: .tripleDESCBC, oid: oid, parameters: parameters,
                                     password: password, what: what)
        case OID.pbeWithSHAAnd40BitRC2CBC:
            return try decryptLegacy(ciphertext, cipher: .rc2CBC40, oid: oid, parameters: parameters,
                                     password: password, what: what)
        case OID.pbeWithSHAAnd128BitRC2CBC:
            return try decryptLegacy(ciphertext, cipher: .rc2CBC128, oid: oid, parameters: parameters,
                                     password: password, what: what)
        default:
            throw Unsupported(what: "\(what) encryption \(OID.describe(oid))")
        }
    }

    private static func checkedIterations(_ node: ASN1Node, _ what: String) throws -> Int {
        let iterations = try ASN1Read.integer(node, what)
        guard iterations >= 1, iterations <= PKCS12Choices.maximumIterations else {
            throw Malformed(what: "\(what) (\(iterations), allowed 1…\(PKCS12Choices.maximumIterations))")
        }
        return iterations
    }

    // MARK: PBES2

    private static func decryptPBES2(_ ciphertext: [UInt8], parameters: ASN1Node, password: String,
                                     what: String) throws -> [UInt8] {
        let fields = try ASN1Read.sequence(parameters, "\(what): PBES2 parameters")
        guard fields.count == 2 else { throw Malformed(what: "\(what): PBES2 parameters") }
        let (kdfOID, kdfParameters) = try ASN1Read.algorithm(fields[0], "\(what): PBES2 key derivation")
        guard kdfOID == OID.pbkdf2 else {
            throw Unsupported(what: "\(what) key derivation \(OID.describe(kdfOID))")
        }
        guard let kdfParameters else { throw Malformed(what: "\(what): PBKDF2 parameters") }
        let (schemeOID, schemeParameters) = try ASN1Read.algorithm(fields[1], "\(what): PBES2 encryption scheme")

        enum Scheme { case aes(keyLength: Int), tripleDES }
        let scheme: Scheme
        switch schemeOID {
        case OID.aes128CBC: scheme = .aes(keyLength: 16)
        case OID.aes192CBC: scheme = .aes(keyLength: 24)
        case OID.aes256CBC: scheme = .aes(keyLength: 32)
        case OID.desEDE3CBC: scheme = .tripleDES
        default: throw Unsupported(what: "\(what) cipher \(OID.describe(schemeOID))")
        }
        guard let schemeParameters else { throw Malformed(what: "\(what): cipher IV") }
        let iv = try ASN1Read.octets(schemeParameters, .octetString, "\(what): cipher IV")

        // PBKDF2-params ::= SEQUENCE { salt, iterationCount, keyLength OPTIONAL, prf DEFAULT hmacWithSHA1 }
        let kdfFields = try ASN1Read.sequence(kdfParameters, "\(what): PBKDF2 parameters")
        guard kdfFields.count >= 2, kdfFields.count <= 4 else { throw Malformed(what: "\(what): PBKDF2 parameters") }
        guard kdfFields[0].identifier == .octetString else {
            throw Unsupported(what: "\(what) PBKDF2 salt source (not an OCTET STRING)")
        }
        let salt = try ASN1Read.octets(kdfFields[0], .octetString, "\(what): PBKDF2 salt")
        let iterations = try checkedIterations(kdfFields[1], "\(what): PBKDF2 iteration count")
        var rest = kdfFields.dropFirst(2)
        var keyLength: Int?
        if let next = rest.first, next.identifier == .integer {
            keyLength = try ASN1Read.integer(next, "\(what): PBKDF2 key length")
            rest = rest.dropFirst()
        }
        var prf = KDF.Insecure.PBKDF2.HashFunction.insecureSHA1
        if let next = rest.first {
            let (prfOID, _) = try ASN1Read.algorithm(next, "\(what): PBKDF2 PRF")
            switch prfOID {
            case OID.hmacWithSHA1: prf = .insecureSHA1
            case OID.hmacWithSHA224: prf = .insecureSHA224
            case OID.hmacWithSHA256: prf = .sha256
            case OID.hmacWithSHA384: prf = .sha384
            case OID.hmacWithSHA512: prf = .sha512
            default: throw Unsupported(what: "\(what) PBKDF2 PRF \(OID.describe(prfOID))")
            }
            rest = rest.dropFirst()
        }
        guard rest.isEmpty else { throw Malformed(what: "\(what): PBKDF2 parameters") }

        let passwordBytes = Array(password.utf8)
        switch scheme {
        case .aes(let length):
            guard keyLength == nil || keyLength == length else { throw Malformed(what: "\(what): PBKDF2 key length") }
            guard iv.count == 16 else { throw Malformed(what: "\(what): AES-CBC IV length \(iv.count)") }
            guard !ciphertext.isEmpty, ciphertext.count % 16 == 0 else {
                throw DecryptionFailed(what: "\(what): ciphertext length \(ciphertext.count) is not a whole number of AES blocks")
            }
            let key = try KDF.Insecure.PBKDF2.deriveKey(from: passwordBytes, salt: salt, using: prf,
                                                        outputByteCount: length, unsafeUncheckedRounds: iterations)
            do {
                return Array(try AES._CBC.decrypt(ciphertext, using: key, iv: AES._CBC.IV(ivBytes: iv)))
            } catch {
                throw DecryptionFailed(what: what)
            }
        case .tripleDES:
            let cipher = LegacyCipher.tripleDESCBC
            guard keyLength == nil || keyLength == cipher.keyLength else { throw Malformed(what: "\(what): PBKDF2 key length") }
            let key = try KDF.Insecure.PBKDF2.deriveKey(from: passwordBytes, salt: salt, using: prf,
                                                        outputByteCount: cipher.keyLength, unsafeUncheckedRounds: iterations)
            let keyBytes = key.withUnsafeBytes { Array($0) }
            return try run(cipher, ciphertext, key: keyBytes, iv: iv, name: OID.describe(schemeOID), what: what)
        }
    }

    // MARK: Legacy PKCS#12 PBE

    /// pkcs-12PbeParams ::= SEQUENCE { salt OCTET STRING, iterations INTEGER }; key (ID 1) and IV (ID 2)
    /// from the PKCS#12 KDF over SHA-1 of the BMPString password.
    private static func decryptLegacy(_ ciphertext: [UInt8], cipher: LegacyCipher, oid: ASN1ObjectIdentifier,
                                      parameters: ASN1Node?, password: String, what: String) throws -> [UInt8] {
        guard let parameters else { throw Malformed(what: "\(what): \(OID.describe(oid)) parameters") }
        let fields = try ASN1Read.sequence(parameters, "\(what): \(OID.describe(oid)) parameters")
        guard fields.count == 2 else { throw Malformed(what: "\(what): \(OID.describe(oid)) parameters") }
        let salt = try ASN1Read.octets(fields[0], .octetString, "\(what): salt")
        let iterations = try checkedIterations(fields[1], "\(what): iteration count")
        let bmp = PKCS12KDF.bmpPassword(password)
        let key = PKCS12KDF.derive(digest: .sha1, purpose: .key, password: bmp, salt: salt,
                                   iterations: iterations, count: cipher.keyLength)
        let iv = PKCS12KDF.derive(digest: .sha1, purpose: .iv, password: bmp, salt: salt,
                                  iterations: iterations, count: cipher.ivLength)
        return try run(cipher, ciphertext, key: key, iv: iv, name: OID.describe(oid), what: what)
    }

    private static func run(_ cipher: LegacyCipher, _ ciphertext: [UInt8], key: [UInt8], iv: [UInt8],
                            name: String, what: String) throws -> [UInt8] {
        do {
            return try cipher.decrypt(ciphertext, key: key, iv: iv)
        } catch .unavailable {
            throw Unsupported(what: "\(what) encryption \(name): OpenSSL's \(cipher.openSSLName) is not available (the legacy provider did not load)")
        } catch .decryptionFailed {
            throw DecryptionFailed(what: what)
        }
    }
}
