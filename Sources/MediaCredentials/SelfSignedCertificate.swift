import Crypto
import _CryptoExtras
import Foundation
import SwiftASN1
import X509

/// The self-signed media certificate mediafs makes when the spec names no PKI certificate.
public enum SelfSignedCertificate {
    /// Label hashed with the seed for the serial number.
    static let serialLabel = "mediafs certificate serial"
    /// Length of the serial number in bytes (RFC 5280 allows up to 20).
    static let serialLength = 16

    /// An X.509 v3 certificate, DER: RSA with SHA-256 (PKCS#1 v1.5, so
    /// deterministic), subject = issuer = `CN=<commonName>` (the caller
    /// chooses the name; mediafs documents its own), the serial number the
    /// first 16 bytes of SHA-256(seed ‖ "mediafs certificate serial") with the
    /// top bit cleared and the next set (positive, always 16 bytes), valid from
    /// `notBefore` to `notAfter` (seconds since 1970, UTC), and the extensions
    /// basicConstraints CA:false (critical), keyUsage digitalSignature +
    /// keyEncipherment (critical), extendedKeyUsage clientAuth
    /// (1.3.6.1.5.5.7.3.2) and subjectKeyIdentifier (SHA-1 of the public key,
    /// RFC 5280 method 1). Same inputs → same DER bytes.
    public static func make(key: MediaKey, commonName: String, notBefore: Int64, notAfter: Int64,
                            seed: [UInt8]) throws -> [UInt8] {
        let source = "media certificate"
        guard !commonName.isEmpty, commonName.count <= 64 else {
            throw CredentialError(source: source, reason: "common name must be 1 to 64 characters (is \(commonName.count))")
        }
        guard notBefore < notAfter else {
            throw CredentialError(source: source, reason: "start date \(notBefore) is not before the expiry date \(notAfter)")
        }
        // X.509 times run from year 0000 to 9999 (GeneralizedTime); UTCTime before 2050.
        let earliest: Int64 = -62_167_219_200, latest: Int64 = 253_402_300_799
        guard notBefore >= earliest, notAfter <= latest else {
            throw CredentialError(source: source, reason: "validity dates outside the years 0000…9999")
        }
        var serial = Array(SHA256.hash(data: seed + Array(serialLabel.utf8)).prefix(serialLength))
        serial[0] = (serial[0] & 0x7F) | 0x40

        let privateKey = Certificate.PrivateKey(key.rsa)
        let publicKey = privateKey.publicKey
        let name = try DistinguishedName { CommonName(commonName) }
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
            try ExtendedKeyUsage([.clientAuth])
            SubjectKeyIdentifier(hash: publicKey)
        }
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(bytes: serial),
            publicKey: publicKey,
            notValidBefore: Date(timeIntervalSince1970: TimeInterval(notBefore)),
            notValidAfter: Date(timeIntervalSince1970: TimeInterval(notAfter)),
            issuer: name,
            subject: name,
            signatureAlgorithm: .sha256WithRSAEncryption,
            extensions: extensions,
            issuerPrivateKey: privateKey)
        var coder = DER.Serializer()
        try coder.serialize(certificate)
        return coder.serializedBytes
    }
}
