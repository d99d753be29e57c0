import Crypto
import _CryptoExtras
import Foundation
import SwiftASN1
import X509

/// What checks and `mediafs inspect` need to know about a certificate.
public struct CertificateSummary: Sendable, Equatable {
    /// RFC 4514 strings, e.g. `CN=mediafs media {…}`.
    public let subject: String, issuer: String
    /// Seconds since 1970, UTC.
    public let notBefore: Int64, notAfter: Int64
    /// "RSA 2048", "ECDSA P-256", "ECDSA P-384", "ECDSA P-521", "Ed25519".
    public let keyDescription: String
    /// True when the certificate may be used for TLS client authentication:
    /// its extendedKeyUsage lists clientAuth (1.3.6.1.5.5.7.3.2) or
    /// anyExtendedKeyUsage, or it has no extendedKeyUsage extension at all
    /// (RFC 5280 4.2.1.12: no EKU means no restriction; Windows treats it so).
    /// `hasExtendedKeyUsageExtension` tells the last case apart.
    public let hasClientAuthentication: Bool
    /// Whether the certificate carries an extendedKeyUsage extension.
    public let hasExtendedKeyUsageExtension: Bool
    /// The serial number's bytes, upper-case hex without separators.
    public let serialNumberHex: String
    /// The subjectPublicKey bits, to compare with a private key's public half.
    let publicKeyBits: [UInt8]

    public init(der: [UInt8], source: String) throws(CredentialError) {
        let certificate: Certificate
        do {
            certificate = try Certificate(derEncoded: der)
        } catch {
            throw CredentialError(source: source, reason: "not a DER X.509 certificate")
        }
        subject = certificate.subject.description
        issuer = certificate.issuer.description
        notBefore = Int64(certificate.notValidBefore.timeIntervalSince1970.rounded(.down))
        notAfter = Int64(certificate.notValidAfter.timeIntervalSince1970.rounded(.down))
        keyDescription = Self.describe(certificate.publicKey)
        let usage: ExtendedKeyUsage?
        do {
            usage = try certificate.extensions.extendedKeyUsage
        } catch {
            throw CredentialError(source: source, reason: "malformed extendedKeyUsage extension")
        }
        hasExtendedKeyUsageExtension = usage != nil
        if let usage {
            hasClientAuthentication = usage.contains(.clientAuth) || usage.contains(.any)
        } else {
            hasClientAuthentication = true
        }
        serialNumberHex = certificate.serialNumber.bytes.map { String(format: "%02X", $0) }.joined()
        publicKeyBits = Array(certificate.publicKey.subjectPublicKeyInfoBytes)
    }

    /// Whether `privateKeyPKCS8` (DER PKCS#8: RSA, ECDSA or Ed25519) is this certificate's key.
    public func matches(privateKeyPKCS8: [UInt8]) -> Bool {
        guard let key = try? Certificate.PrivateKey(derBytes: privateKeyPKCS8) else { return false }
        return Array(key.publicKey.subjectPublicKeyInfoBytes) == publicKeyBits
    }

    static func describe(_ key: Certificate.PublicKey) -> String {
        if let rsa = _RSA.Signing.PublicKey(key) { return "RSA \(rsa.keySizeInBits)" }
        if P256.Signing.PublicKey(key) != nil { return "ECDSA P-256" }
        if P384.Signing.PublicKey(key) != nil { return "ECDSA P-384" }
        if P521.Signing.PublicKey(key) != nil { return "ECDSA P-521" }
        if Curve25519.Signing.PublicKey(key) != nil { return "Ed25519" }
        return "unknown key type"
    }
}
