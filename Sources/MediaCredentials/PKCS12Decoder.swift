import Crypto
import SwiftASN1

extension PKCS12 {
    /// Reads a PKCS#12 file: PBES2 (PBKDF2 with HMAC-SHA1/SHA-224/SHA-256/SHA-384/SHA-512,
    /// AES-128/192/256-CBC or 3DES-CBC) and the legacy form Windows and OpenSSL 1.x
    /// export (pbeWithSHAAnd3-KeyTripleDES-CBC, pbeWithSHAAnd40BitRC2-CBC,
    /// pbeWithSHAAnd128BitRC2-CBC: the PKCS#12 KDF over SHA-1). BER is accepted
    /// (indefinite lengths, constructed OCTET STRINGs).
    ///
    /// The MAC (HMAC over SHA-1, SHA-256, SHA-384 or SHA-512) is checked first:
    /// a wrong password gives "wrong password or damaged file (MAC mismatch)".
    /// A file without a MAC is read (its bags still need the password).
    /// Anything else mediafs does not read gives an error naming the algorithm
    /// with its OID. Total: any bytes give contents or a `CredentialError`.
    ///
    /// The result holds the X.509 certificates (the one whose public key matches
    /// the private key first, the others in file order) and the private key
    /// (keyBag or pkcs8ShroudedKeyBag); more than one private key is an error.
    public static func decode(_ der: [UInt8], password: String, source: String) throws(CredentialError) -> PKCS12Contents {
        do {
            var reader = PKCS12Reader(password: password)
            return try reader.read(der)
        } catch let error as CredentialError {
            throw CredentialError(source: source, reason: error.reason)
        } catch let error as Malformed {
            throw CredentialError(source: source, reason: "malformed PKCS#12: \(error.what)")
        } catch let error as Unsupported {
            throw CredentialError(source: source, reason: "unsupported \(error.what)")
        } catch let error as DecryptionFailed {
            throw CredentialError(source: source, reason: "cannot decrypt \(error.what) (damaged file, or a bag under another password)")
        } catch {
            throw CredentialError(source: source, reason: "malformed PKCS#12 (not valid DER/BER)")
        }
    }
}

/// One decoding pass; errors are internal (`Malformed`, `Unsupported`,
/// `DecryptionFailed`, `CredentialError`) and named by `PKCS12.decode`.
private struct PKCS12Reader {
    let password: String
    /// Nested safeContentsBags deeper than this are refused.
    static let maximumBagDepth = 4


    var certificates: [[UInt8]] = []
    var keys: [[UInt8]] = []

    init(password: String) {
        self.password = password
    }

    mutating func read(_ der: [UInt8]) throws -> PKCS12Contents {
        let root = try BER.parse(der)
        let fields = try ASN1Read.sequence(root, "PFX")
        guard fields.count == 2 || fields.count == 3 else { throw Malformed(what: "PFX (\(fields.count) fields)") }
        let version = try ASN1Read.integer(fields[0], "PFX version")
        guard version == 3 else { throw Unsupported(what: "PFX version \(version) (expected 3)") }

        let authSafe = try ASN1Read.sequence(fields[1], "authSafe ContentInfo")
        guard authSafe.count == 2 else { throw Malformed(what: "authSafe ContentInfo") }
        let contentType = try ASN1Read.oid(authSafe[0], "authSafe content type")
        guard contentType == OID.data else {
            throw Unsupported(what: "integrity mode: authSafe content type \(OID.describe(contentType)) (only password integrity, data)")
        }
        let authenticatedSafe = try ASN1Read.octets(
            try ASN1Read.explicit(authSafe[1], "authSafe content"), .octetString, "authSafe content")

        if fields.count == 3 {
            try checkMAC(fields[2], over: authenticatedSafe)
        }

        let contentInfos = try ASN1Read.sequence(try BER.parse(authenticatedSafe), "AuthenticatedSafe")
        for (index, contentInfo) in contentInfos.enumerated() {
            let what = "safe \(index + 1)"
            let (safe, encrypted) = try safeContents(contentInfo, what: what)
            let bags: [ASN1Node]
            do {
                bags = try ASN1Read.sequence(try BER.parse(safe), "\(what): SafeContents")
            } catch {
                // Padding can come out right by chance under a wrong key; the content cannot.
                if encrypted { throw DecryptionFailed(what: "\(what) (encrypted)") }
                throw error
            }
            try readBags(bags, what: what, depth: 0)
        }

        guard keys.count <= 1 else {
            throw CredentialError(source: "", reason: "holds \(keys.count) private keys; mediafs needs exactly one")
        }
        let key = keys.first
        var ordered = certificates
        if let key, let index = certificates.firstIndex(where: {
            (try? CertificateSummary(der: $0, source: ""))?.matches(privateKeyPKCS8: key) == true
        }) {
            ordered.remove(at: index)
            ordered.insert(certificates[index], at: 0)
        }
        return PKCS12Contents(certificates: ordered, privateKeyPKCS8: key)
    }

    // MARK: MAC

    private func checkMAC(_ node: ASN1Node, over content: [UInt8]) throws {
        // MacData ::= SEQUENCE { mac DigestInfo, macSalt OCTET STRING, iterations INTEGER DEFAULT 1 }
        let fields = try ASN1Read.sequence(node, "MacData")
        guard fields.count == 2 || fields.count == 3 else { throw Malformed(what: "MacData") }
        let digestInfo = try ASN1Read.sequence(fields[0], "MAC DigestInfo")
        guard digestInfo.count == 2 else { throw Malformed(what: "MAC DigestInfo") }
        let (digestOID, _) = try ASN1Read.algorithm(digestInfo[0], "MAC digest algorithm")
        let expected = try ASN1Read.octets(digestInfo[1], .octetString, "MAC value")
        let salt = try ASN1Read.octets(fields[1], .octetString, "MAC salt")
        var iterations = 1
        if fields.count == 3 {
            iterations = try ASN1Read.integer(fields[2], "MAC iteration count")
            guard iterations >= 1, iterations <= PKCS12Choices.maximumIterations else {
                throw Malformed(what: "MAC iteration count (\(iterations), allowed 1…\(PKCS12Choices.maximumIterations))")
            }
        }
        let digest: PKCS12KDF.Digest
        switch digestOID {
        case OID.sha1: digest = .sha1
        case OID.sha256: digest = .sha256
        case OID.sha384: digest = .sha384
        case OID.sha512: digest = .sha512
        default: throw Unsupported(what: "MAC algorithm \(OID.describe(digestOID))")
        }
        guard expected.count == digest.outputSize else {
            throw Malformed(what: "MAC value length \(expected.count)")
        }
        // OpenSSL also tries an empty password as no password at all (no NUL terminator).
        var candidates = [PKCS12KDF.bmpPassword(password)]
        if password.isEmpty { candidates.append([]) }
        for candidate in candidates {
            let key = SymmetricKey(data: PKCS12KDF.derive(digest: digest, purpose: .mac, password: candidate,
                                                          salt: salt, iterations: iterations, count: digest.outputSize))
            let valid: Bool
            switch digest {
            case .sha1: valid = HMAC<Insecure.SHA1>.isValidAuthenticationCode(expected, authenticating: content, using: key)
            case .sha256: valid = HMAC<SHA256>.isValidAuthenticationCode(expected, authenticating: content, using: key)
            case .sha384: valid = HMAC<SHA384>.isValidAuthenticationCode(expected, authenticating: content, using: key)
            case .sha512: valid = HMAC<SHA512>.isValidAuthenticationCode(expected, authenticating: content, using: key)
            }
            if valid { return }
        }
        throw CredentialError(source: "", reason: CredentialError.macMismatchReason)
    }

    // MARK: Safes and bags

    /// The SafeContents of one ContentInfo of the AuthenticatedSafe, decrypted if need be,
    /// and whether it was encrypted.
    private func safeContents(_ node: ASN1Node, what: String) throws -> ([UInt8], encrypted: Bool) {
        let fields = try ASN1Read.sequence(node, "\(what): ContentInfo")
        guard fields.count == 2 else { throw Malformed(what: "\(what): ContentInfo") }
        let contentType = try ASN1Read.oid(fields[0], "\(what): content type")
        let content = try ASN1Read.explicit(fields[1], "\(what): content")
        switch contentType {
        case OID.data:
            return (try ASN1Read.octets(content, .octetString, "\(what): content"), false)
        case OID.encryptedData:
            // EncryptedData ::= SEQUENCE { version, EncryptedContentInfo, [1] unprotectedAttrs OPTIONAL }
            let encryptedData = try ASN1Read.sequence(content, "\(what): EncryptedData")
            guard encryptedData.count >= 2 else { throw Malformed(what: "\(what): EncryptedData") }
            _ = try ASN1Read.integer(encryptedData[0], "\(what): EncryptedData version")
            // EncryptedContentInfo ::= SEQUENCE { contentType, algorithm, [0] IMPLICIT OCTET STRING OPTIONAL }
            let info = try ASN1Read.sequence(encryptedData[1], "\(what): EncryptedContentInfo")
            guard info.count == 3 else { throw Malformed(what: "\(what): EncryptedContentInfo (no content)") }
            let ciphertext = try ASN1Read.octets(info[2], ASN1Read.contextZero, "\(what): encrypted content")
            return (try PasswordBasedEncryption.decrypt(ciphertext, algorithm: info[1], password: password,
                                                        what: "\(what) (encrypted)"), true)
        default:
            throw Unsupported(what: "\(what) content type \(OID.describe(contentType))")
        }
    }

    private mutating func readBags(_ bags: [ASN1Node], what: String, depth: Int) throws {
        guard depth <= Self.maximumBagDepth else { throw Malformed(what: "\(what): safe contents nested too deep") }
        for (index, bag) in bags.enumerated() {
            let bagWhat = "\(what), bag \(index + 1)"
            // SafeBag ::= SEQUENCE { bagId, bagValue [0] EXPLICIT, bagAttributes SET OF OPTIONAL }
            let fields = try ASN1Read.sequence(bag, "\(bagWhat): SafeBag")
            guard fields.count == 2 || fields.count == 3 else { throw Malformed(what: "\(bagWhat): SafeBag") }
            let bagID = try ASN1Read.oid(fields[0], "\(bagWhat): bag type")
            let value = try ASN1Read.explicit(fields[1], "\(bagWhat): bag value")
            switch bagID {
            case OID.certBag:
                // CertBag ::= SEQUENCE { certId, certValue [0] EXPLICIT }
                let certBag = try ASN1Read.sequence(value, "\(bagWhat): CertBag")
                guard certBag.count == 2 else { throw Malformed(what: "\(bagWhat): CertBag") }
                let certType = try ASN1Read.oid(certBag[0], "\(bagWhat): certificate type")
                guard certType == OID.x509Certificate else { continue }  // SDSI certificates: not ours
                let certificate = try ASN1Read.octets(try ASN1Read.explicit(certBag[1], "\(bagWhat): certificate"),
                                                      .octetString, "\(bagWhat): certificate")
                certificates.append(certificate)
            case OID.keyBag:
                _ = try ASN1Read.sequence(value, "\(bagWhat): PrivateKeyInfo")
                keys.append(Array(value.encodedBytes))
            case OID.pkcs8ShroudedKeyBag:
                // EncryptedPrivateKeyInfo ::= SEQUENCE { encryptionAlgorithm, encryptedData OCTET STRING }
                let info = try ASN1Read.sequence(value, "\(bagWhat): EncryptedPrivateKeyInfo")
                guard info.count == 2 else { throw Malformed(what: "\(bagWhat): EncryptedPrivateKeyInfo") }
                let ciphertext = try ASN1Read.octets(info[1], .octetString, "\(bagWhat): encrypted key")
                let key = try PasswordBasedEncryption.decrypt(ciphertext, algorithm: info[0], password: password,
                                                              what: "\(bagWhat) (shrouded key)")
                guard let keyNode = try? DER.parse(key), (try? ASN1Read.sequence(keyNode, "")) != nil else {
                    throw DecryptionFailed(what: "\(bagWhat) (shrouded key: not a PKCS#8 PrivateKeyInfo)")
                }
                keys.append(key)
            case OID.safeContentsBag:
                try readBags(try ASN1Read.sequence(value, "\(bagWhat): nested SafeContents"), what: bagWhat,
                             depth: depth + 1)
            default:
                continue  // crlBag, secretBag, unknown bags: nothing mediafs needs
            }
        }
    }
}
