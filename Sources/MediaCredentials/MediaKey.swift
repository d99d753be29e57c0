import Crypto
import _CryptoExtras
import SwiftASN1

/// The media certificate's RSA private key (2048 bits or more).
///
/// mediafs reads it from a key file rather than making a new one per build, so
/// the same inputs give the same media. The file format is PKCS#8 PEM
/// (`-----BEGIN PRIVATE KEY-----`), as `openssl genpkey` writes it; the older
/// PKCS#1 form (`-----BEGIN RSA PRIVATE KEY-----`) is read too.
public struct MediaKey: Sendable {
    /// The smallest RSA key mediafs accepts.
    public static let minimumBits = 2048

    let rsa: _RSA.Signing.PrivateKey
    public let pkcs8DER: [UInt8]

    /// A new random key (for the key-creating command; builds read a key file).
    public static func generate(bits: Int = 2048) throws -> MediaKey {
        guard bits >= minimumBits, bits <= 16384, bits % 8 == 0 else {
            throw CredentialError(source: "media key", reason: "RSA key size \(bits) bits: use \(minimumBits) to 16384, a multiple of 8")
        }
        let key = try _RSA.Signing.PrivateKey(keySize: .init(bitCount: bits))
        return try MediaKey(rsa: key, source: "media key")
    }

    /// Reads a PEM private key; `source` (a file name) prefixes every error.
    public init(pem: String, source: String) throws(CredentialError) {
        let document: PEMDocument
        do {
            document = try PEMDocument(pemString: pem)
        } catch {
            throw CredentialError(source: source, reason: "not a PEM private key (expected one -----BEGIN PRIVATE KEY----- block)")
        }
        switch document.discriminator {
        case "PRIVATE KEY":
            guard let algorithm = Self.pkcs8Algorithm(document.derBytes) else {
                throw CredentialError(source: source, reason: "malformed PKCS#8 private key")
            }
            guard algorithm == ASN1ObjectIdentifier.AlgorithmIdentifier.rsaEncryption else {
                throw CredentialError(source: source, reason: "the media key must be RSA, not \(OID.describeKeyAlgorithm(algorithm))")
            }
        case "RSA PRIVATE KEY":
            break
        case "ENCRYPTED PRIVATE KEY":
            throw CredentialError(source: source, reason: "the key is encrypted; mediafs reads an unencrypted PKCS#8 key file (protect it with file permissions, mode 0600)")
        default:
            throw CredentialError(source: source, reason: "a PEM \"\(document.discriminator)\" block is not a private key")
        }
        let key: _RSA.Signing.PrivateKey
        do {
            // The unsafe form reads keys down to 1024 bits, so the size check below can say what is wrong.
            key = try _RSA.Signing.PrivateKey(unsafeDERRepresentation: document.derBytes)
        } catch {
            throw CredentialError(source: source, reason: "malformed RSA private key")
        }
        self = try MediaKey(rsa: key, source: source)
    }

    private init(rsa: _RSA.Signing.PrivateKey, source: String) throws(CredentialError) {
        guard rsa.keySizeInBits >= Self.minimumBits else {
            throw CredentialError(source: source, reason: "RSA key of \(rsa.keySizeInBits) bits: the media key needs at least \(Self.minimumBits)")
        }
        do {
            pkcs8DER = try PEMDocument(pemString: rsa.pkcs8PEMRepresentation).derBytes
        } catch {
            throw CredentialError(source: source, reason: "cannot encode the RSA key as PKCS#8")
        }
        self.rsa = rsa
    }

    /// PKCS#8 PEM, the key file format mediafs writes (mode 0600 is the caller's job).
    public var pemEncoded: String { rsa.pkcs8PEMRepresentation }

    public var bits: Int { rsa.keySizeInBits }

    /// The algorithm OID of a PKCS#8 PrivateKeyInfo, or nil if it is not one.
    static func pkcs8Algorithm(_ der: [UInt8]) -> ASN1ObjectIdentifier? {
        guard let root = try? DER.parse(der),
              let fields = try? ASN1Read.sequence(root, "PrivateKeyInfo"), fields.count >= 3,
              let algorithm = try? ASN1Read.algorithm(fields[1], "algorithm")
        else { return nil }
        return algorithm.0
    }
}

extension OID {
    static let keyAlgorithmNames: [ASN1ObjectIdentifier: String] = [
        "1.2.840.113549.1.1.1": "RSA",
        "1.2.840.113549.1.1.10": "RSA-PSS",
        "1.2.840.10045.2.1": "ECDSA",
        "1.3.101.112": "Ed25519",
        "1.3.101.113": "Ed448",
        "1.2.840.10040.4.1": "DSA",
    ]

    static func describeKeyAlgorithm(_ oid: ASN1ObjectIdentifier) -> String {
        "\(keyAlgorithmNames[oid] ?? "unknown key algorithm") (\(oid))"
    }
}
