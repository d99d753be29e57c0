import Crypto
import SwiftASN1

/// What a PKCS#12 file holds, as mediafs uses it.
public struct PKCS12Contents: Sendable {
    /// DER X.509 certificates, the one matching the private key first.
    public let certificates: [[UInt8]]
    /// DER PKCS#8 PrivateKeyInfo, if the file holds a key.
    public let privateKeyPKCS8: [UInt8]?

    public init(certificates: [[UInt8]], privateKeyPKCS8: [UInt8]?) {
        self.certificates = certificates
        self.privateKeyPKCS8 = privateKeyPKCS8
    }
}

/// PKCS#12 (RFC 7292) files, "PFX": the media certificate with its private key.
public enum PKCS12 {
    /// DER PKCS#12 as OpenSSL 3 writes by default: PBES2 (PBKDF2-HMAC-SHA256,
    /// AES-256-CBC) for the shrouded key bag and for the encrypted certificate
    /// safe contents, MAC = HMAC-SHA256 with the PKCS#12 KDF (ID 3) over
    /// SHA-256, iterations 2048; localKeyID (and friendlyName when given)
    /// attributes as OpenSSL writes them. The details and the salt/IV
    /// derivation are in `PKCS12Choices`: salts and IVs come from
    /// SHA-256(seed ‖ a label per use), never random — same inputs, same bytes.
    ///
    /// `certificates`: DER, in any order; the one whose public key matches
    /// `privateKeyPKCS8` is written first and carries the localKeyID; others
    /// (a CA chain) follow in the given order.
    /// `friendlyName`: an optional friendlyName attribute for the certificate and the key (mediafs's addition to the API).
    public static func encode(certificates: [[UInt8]], privateKeyPKCS8: [UInt8], password: String, seed: [UInt8],
                              friendlyName: String? = nil) throws -> [UInt8] {
        let source = "PKCS#12"
        var matching: Int?
        for (index, der) in certificates.enumerated() {
            let summary = try CertificateSummary(der: der, source: "\(source): certificate \(index + 1)")
            if matching == nil, summary.matches(privateKeyPKCS8: privateKeyPKCS8) { matching = index }
        }
        guard let matching else {
            throw CredentialError(source: source, reason: certificates.isEmpty
                                  ? "no certificate given" : "no certificate matches the private key")
        }
        let ordered = [certificates[matching]]
            + certificates.enumerated().filter { $0.offset != matching }.map(\.element)
        let localKeyID = Array(Insecure.SHA1.hash(data: certificates[matching]))
        let attributes = try bagAttributes(localKeyID: localKeyID, friendlyName: friendlyName)
        func derived(_ label: String, _ count: Int) -> [UInt8] {
            Array(SHA256.hash(data: seed + Array(label.utf8)).prefix(count))
        }
        let iterations = PKCS12Choices.iterations

        // The certificate safe: SafeContents of certBags, encrypted (an encryptedData ContentInfo).
        let certificateSafe = try ASN1Write.encoded { coder in
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                for (index, der) in ordered.enumerated() {
                    try coder.appendConstructedNode(identifier: .sequence) { coder in
                        try coder.serialize(OID.certBag)
                        try coder.appendConstructedNode(identifier: ASN1Read.contextZero) { coder in
                            try coder.appendConstructedNode(identifier: .sequence) { coder in
                                try coder.serialize(OID.x509Certificate)
                                try coder.appendConstructedNode(identifier: ASN1Read.contextZero) { coder in
                                    try ASN1Write.octetString(der, into: &coder)
                                }
                            }
                        }
                        if index == 0 { coder.serializeRawBytes(attributes) }
                    }
                }
            }
        }
        let certificateEncryption = try PasswordBasedEncryption.encryptPBES2(
            certificateSafe, password: password,
            salt: derived(PKCS12Choices.certificateSafeSaltLabel, PKCS12Choices.saltLength),
            iv: derived(PKCS12Choices.certificateSafeIVLabel, PKCS12Choices.ivLength), iterations: iterations)

        // The key safe: SafeContents with one pkcs8ShroudedKeyBag, in a data ContentInfo.
        let keyEncryption = try PasswordBasedEncryption.encryptPBES2(
            privateKeyPKCS8, password: password,
            salt: derived(PKCS12Choices.keyBagSaltLabel, PKCS12Choices.saltLength),
            iv: derived(PKCS12Choices.keyBagIVLabel, PKCS12Choices.ivLength), iterations: iterations)
        let keySafe = try ASN1Write.encoded { coder in
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                try coder.appendConstructedNode(identifier: .sequence) { coder in
                    try coder.serialize(OID.pkcs8ShroudedKeyBag)
                    try coder.appendConstructedNode(identifier: ASN1Read.contextZero) { coder in
                        try coder.appendConstructedNode(identifier: .sequence) { coder in
                            coder.serializeRawBytes(keyEncryption.algorithm)
                            try ASN1Write.octetString(keyEncryption.ciphertext, into: &coder)
                        }
                    }
                    coder.serializeRawBytes(attributes)
                }
            }
        }

        // AuthenticatedSafe: the certificates first, then the key (OpenSSL's order).
        let authenticatedSafe = try ASN1Write.encoded { coder in
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                try coder.appendConstructedNode(identifier: .sequence) { coder in
                    try coder.serialize(OID.encryptedData)
                    try coder.appendConstructedNode(identifier: ASN1Read.contextZero) { coder in
                        try coder.appendConstructedNode(identifier: .sequence) { coder in
                            try coder.serialize(0)
                            try coder.appendConstructedNode(identifier: .sequence) { coder in
                                try coder.serialize(OID.data)
                                coder.serializeRawBytes(certificateEncryption.algorithm)
                                try ASN1OctetString(contentBytes: certificateEncryption.ciphertext[...])
                                    .serialize(into: &coder, withIdentifier: ASN1Read.contextZero)
                            }
                        }
                    }
                }
                try dataContentInfo(keySafe, into: &coder)
            }
        }

        let macSalt = derived(PKCS12Choices.macSaltLabel, PKCS12Choices.saltLength)
        let macKey = PKCS12KDF.derive(digest: .sha256, purpose: .mac, password: PKCS12KDF.bmpPassword(password),
                                      salt: macSalt, iterations: iterations, count: 32)
        let mac = Array(HMAC<SHA256>.authenticationCode(for: authenticatedSafe, using: SymmetricKey(data: macKey)))

        return try ASN1Write.encoded { coder in
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                try coder.serialize(3)
                try dataContentInfo(authenticatedSafe, into: &coder)
                try coder.appendConstructedNode(identifier: .sequence) { coder in
                    try coder.appendConstructedNode(identifier: .sequence) { coder in
                        try ASN1Write.algorithmWithNull(OID.sha256, into: &coder)
                        try ASN1Write.octetString(mac, into: &coder)
                    }
                    try ASN1Write.octetString(macSalt, into: &coder)
                    try coder.serialize(iterations)
                }
            }
        }
    }

    /// ContentInfo { data, [0] EXPLICIT OCTET STRING content }.
    private static func dataContentInfo(_ content: [UInt8], into coder: inout DER.Serializer) throws {
        try coder.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(OID.data)
            try coder.appendConstructedNode(identifier: ASN1Read.contextZero) { coder in
                try ASN1Write.octetString(content, into: &coder)
            }
        }
    }

    /// SET OF Attribute: localKeyID, and friendlyName (a BMPString) when given.
    private static func bagAttributes(localKeyID: [UInt8], friendlyName: String?) throws -> [UInt8] {
        var attributes: [[UInt8]] = []
        attributes.append(try ASN1Write.encoded { coder in
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                try coder.serialize(OID.localKeyID)
                try coder.appendConstructedNode(identifier: .set) { coder in
                    try ASN1Write.octetString(localKeyID, into: &coder)
                }
            }
        })
        if let friendlyName {
            let bmp = PKCS12KDF.bmpPassword(friendlyName).dropLast(2)
            attributes.append(try ASN1Write.encoded { coder in
                try coder.appendConstructedNode(identifier: .sequence) { coder in
                    try coder.serialize(OID.friendlyName)
                    try coder.appendConstructedNode(identifier: .set) { coder in
                        try coder.serialize(ASN1BMPString(contentBytes: bmp))
                    }
                }
            })
        }
        return ASN1Write.encoded { coder in ASN1Write.setOf(encoded: attributes, into: &coder) }
    }
}
