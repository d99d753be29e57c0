import Foundation
import MediaCredentials
import SystemIO
import X509

/// The secrets a spec names, read from the environment or from files. Kept in
/// memory only as long as the tree is composed; none is written to the media
/// (the password only keys the encryption of the SMS/data files).
public struct ResolvedSecrets: Sendable, Equatable {
    public let password: String?
    public let certificatePassword: String?
    /// The self-signed certificate's private key (PEM text).
    public let certificateKey: String?

    public init(password: String? = nil, certificatePassword: String? = nil, certificateKey: String? = nil) {
        self.password = password
        self.certificatePassword = certificatePassword
        self.certificateKey = certificateKey
    }
}

/// The site's certificates the media carries (`root-ca-certificates`, `site-signing-certificate`), DER.
public struct SiteCertificates: Sendable, Equatable {
    public let rootCAs: [[UInt8]]
    public let signing: [UInt8]?

    public init(rootCAs: [[UInt8]] = [], signing: [UInt8]? = nil) {
        self.rootCAs = rootCAs
        self.signing = signing
    }
}

/// What mediafs knows of the media certificate after checking it.
public struct CertificateFacts: Sendable, Equatable {
    public enum Kind: String, Sendable { case selfSigned = "SelfSigned", pki = "PKI" }
    public let kind: Kind
    /// Seconds since 1970-01-01 UTC.
    public let notBefore: Int64
    public let notAfter: Int64
    /// The media certificate (DER) of a PKI PFX; nil for a self-signed one (the composer makes it).
    public let der: [UInt8]?
    /// PKI: every certificate of the PFX (the media certificate and any chain), DER.
    public let certificates: [[UInt8]]
    /// PKI: the PFX's private key (PKCS#8 DER), checked to match `der`.
    public let privateKeyPKCS8: [UInt8]?

    public init(kind: Kind, notBefore: Int64, notAfter: Int64, der: [UInt8]?, certificates: [[UInt8]] = [], privateKeyPKCS8: [UInt8]? = nil) {
        self.kind = kind
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.der = der
        self.certificates = certificates
        self.privateKeyPKCS8 = privateKeyPKCS8
    }
}

/// Checks of a parsed spec that need the outside world: environment variables,
/// secret and certificate files, and the real clock.
public enum SpecChecks {
    /// A certificate must stay valid this long after the media is made: an expired
    /// media certificate silently breaks boot media, the most common complaint.
    public static let minimumValidity: Int64 = 30 * 86_400

    /// Reads the secrets the spec names. `environment` is the process's (passed in, for tests).
    public static func resolveSecrets(_ spec: MediaSpec, environment: [String: String]) throws(SpecError) -> ResolvedSecrets {
        let password = try spec.password.map { source throws(SpecError) in try read(source, spec, "password") }
        var certificatePassword: String?
        var certificateKey: String?
        if case .pki(_, let source?) = spec.certificate {
            certificatePassword = try read(source, spec, "certificate.pki.password")
        }
        if case .selfSigned(_, _, let source) = spec.certificate {
            certificateKey = try read(source, spec, "certificate.self-signed.key")
        }
        return ResolvedSecrets(password: password, certificatePassword: certificatePassword, certificateKey: certificateKey)

        func read(_ source: SecretSource, _ spec: MediaSpec, _ field: String) throws(SpecError) -> String {
            switch source {
            case .environment(let name):
                guard let value = environment[name] else {
                    throw spec.error(field + ".env", "the environment variable \(name) is not set")
                }
                guard !value.isEmpty else { throw spec.error(field + ".env", "the environment variable \(name) is empty") }
                return value
            case .file(let path):
                let bytes: [UInt8]
                do { bytes = try FileSystem.readFile(path) } catch {
                    throw spec.error(field + ".file", "cannot read \(path): \(error)")
                }
                var text = String(decoding: bytes, as: UTF8.self)
                guard Array(text.utf8) == bytes else { throw spec.error(field + ".file", "\(path) is not UTF-8 text") }
                // Editors end files with a newline; it is not part of the secret.
                if text.hasSuffix("\r\n") { text.removeLast(1) } // "\r\n" is one Character
                else if text.hasSuffix("\n") { text.removeLast() }
                guard !text.isEmpty else { throw spec.error(field + ".file", "\(path) is empty") }
                return text
            }
        }
    }

    /// Checks the media certificate's dates against `now` (seconds since 1970; the
    /// engine passes the real clock — this check alone uses it, the media's bytes never do),
    /// the self-signed certificate's key, and reads a PKI PFX (its key, its client
    /// authentication usage). nil when the media has no certificate.
    public static func certificate(_ spec: MediaSpec, secrets: ResolvedSecrets = ResolvedSecrets(), now: Int64) throws(SpecError) -> CertificateFacts? {
        guard let certificate = spec.certificate else { return nil }
        let facts: CertificateFacts
        let field: String
        switch certificate {
        case .selfSigned(let start, let expires, let source):
            field = "certificate.self-signed.expires"
            if let pem = secrets.certificateKey {
                do { _ = try MediaKey(pem: pem, source: source.description) } catch {
                    throw spec.error("certificate.self-signed.key", String(describing: error))
                }
            }
            facts = CertificateFacts(kind: .selfSigned, notBefore: start.seconds, notAfter: expires.seconds, der: nil)
        case .pki(let path, _):
            field = "certificate.pki.file"
            facts = try readPFX(path, password: secrets.certificatePassword ?? "", spec, field)
            if facts.notAfter <= facts.notBefore {
                throw spec.error(field, "\(path): the certificate expires (\(SpecDate.format(facts.notAfter))) before it starts (\(SpecDate.format(facts.notBefore)))")
            }
        }
        let clock = "now is \(SpecDate.format(now)) by this computer's clock"
        if facts.notAfter <= now {
            throw spec.error(field, "the media certificate expired on \(SpecDate.format(facts.notAfter)) (\(clock)); media made with it cannot talk to the site")
        }
        if facts.notAfter - now < minimumValidity {
            throw spec.error(field, "the media certificate expires on \(SpecDate.format(facts.notAfter)), within 30 days (\(clock)); media made with it would soon stop working — choose a later expiry")
        }
        return facts
    }

    /// The site's certificates the spec names, each checked to be an X.509 certificate.
    public static func siteCertificates(_ spec: MediaSpec) throws(SpecError) -> SiteCertificates {
        var roots: [[UInt8]] = []
        for (index, path) in spec.mediaData.rootCACertificates.enumerated() {
            roots += try certificates(in: path, spec, "root-ca-certificates[\(index)]")
        }
        var signing: [UInt8]?
        if let path = spec.mediaData.siteSigningCertificate {
            let found = try certificates(in: path, spec, "site-signing-certificate")
            guard found.count == 1 else {
                throw spec.error("site-signing-certificate", "\(path) holds \(found.count) certificates; give the one site signing certificate")
            }
            signing = found[0]
        }
        return SiteCertificates(rootCAs: roots, signing: signing)
    }

    /// The certificates (DER) of a PEM file (every CERTIFICATE block) or a DER file.
    static func certificates(in path: String, _ spec: MediaSpec, _ field: String) throws(SpecError) -> [[UInt8]] {
        let bytes: [UInt8]
        do { bytes = try FileSystem.readFile(path) } catch {
            throw spec.error(field, "cannot read \(path): \(error)")
        }
        var ders: [[UInt8]] = []
        let text = String(decoding: bytes, as: UTF8.self)
        let begin = "-----BEGIN CERTIFICATE-----", end = "-----END CERTIFICATE-----"
        var rest = text[...]
        while let start = rest.range(of: begin) {
            guard let stop = rest.range(of: end, range: start.upperBound..<rest.endIndex),
                  let decoded = Data(base64Encoded: String(rest[start.upperBound..<stop.lowerBound]), options: .ignoreUnknownCharacters) else {
                throw spec.error(field, "\(path): a PEM CERTIFICATE block is not valid base64 or has no END line")
            }
            ders.append(Array(decoded))
            rest = rest[stop.upperBound...]
        }
        if ders.isEmpty {
            if text.contains("-----BEGIN ") { throw spec.error(field, "\(path): the PEM file holds no CERTIFICATE block") }
            ders = [bytes]
        }
        for der in ders {
            do { _ = try Certificate(derEncoded: der) } catch {
                throw spec.error(field, "\(path) is not a PEM or DER X.509 certificate: \(error)")
            }
        }
        return ders
    }

    /// A PKI media certificate: a PFX (PKCS#12) with the certificate and its private key.
    static func readPFX(_ path: String, password: String, _ spec: MediaSpec, _ field: String) throws(SpecError) -> CertificateFacts {
        let bytes: [UInt8]
        do { bytes = try FileSystem.readFile(path) } catch {
            throw spec.error(field, "cannot read \(path): \(error)")
        }
        if String(decoding: bytes.prefix(4096), as: UTF8.self).contains("-----BEGIN ") || (try? Certificate(derEncoded: bytes)) != nil {
            throw spec.error(field, "\(path) is a certificate without its private key; give the PFX (PKCS#12) that holds both, as Windows or `openssl pkcs12 -export` writes it")
        }
        let contents: PKCS12Contents
        do { contents = try PKCS12.decode(bytes, password: password, source: path) } catch {
            throw spec.error(field, String(describing: error))
        }
        guard let key = contents.privateKeyPKCS8 else {
            throw spec.error(field, "\(path) holds no private key; the media needs the certificate's key to authenticate")
        }
        var match: (der: [UInt8], summary: CertificateSummary)?
        for (index, der) in contents.certificates.enumerated() {
            let summary: CertificateSummary
            do { summary = try CertificateSummary(der: der, source: "\(path): certificate \(index + 1)") } catch {
                throw spec.error(field, String(describing: error))
            }
            if summary.matches(privateKeyPKCS8: key) { match = (der, summary); break }
        }
        guard let leaf = match else {
            throw spec.error(field, "\(path): none of its \(contents.certificates.count) certificates matches its private key")
        }
        guard leaf.summary.hasClientAuthentication else {
            throw spec.error(field, "\(path): the certificate \(leaf.summary.subject) is not for client authentication (its extended key usage lacks 1.3.6.1.5.5.7.3.2); the media authenticates to the management point with it")
        }
        return CertificateFacts(kind: .pki, notBefore: leaf.summary.notBefore, notAfter: leaf.summary.notAfter, der: leaf.der,
                                certificates: contents.certificates, privateKeyPKCS8: key)
    }
}

extension SpecDate {
    /// `2026-01-01T00:00:00Z` for seconds since 1970.
    public static func format(_ seconds: Int64) -> String { CivilTime.iso8601(seconds) }
}
