import Crypto
import MediaCredentials
import MediaSpec

/// The media certificate with its private key as a DER PKCS#12 (`_SMSTSMediaPFX`),
/// made from the inputs alone: the same spec, key and content give the same bytes.
enum MediaCertificateFile {
    /// The PFX's password: the first 31 characters of `_SMSMediaGuid` as stored (Configuration Manager's rule).
    static func password(mediaGuidVariable: String) -> String { String(mediaGuidVariable.prefix(31)) }

    /// The self-signed certificate's subject and issuer: `CN=mediafs media {GUID}`.
    static func commonName(mediaGuidVariable: String) -> String { "mediafs media \(mediaGuidVariable)" }

    /// Serial number, salts and IVs come from SHA-256 of this label and the media GUID (itself derived from the spec and content).
    static func seed(mediaGuidVariable: String) -> [UInt8] {
        Array(SHA256.hash(data: Array("mediafs media certificate v1\0\(mediaGuidVariable)".utf8)))
    }

    static func make(spec: MediaSpec, certificate: CertificateFacts?, secrets: ResolvedSecrets, mediaGuidVariable: String) throws -> [UInt8]? {
        guard let certificate else { return nil }
        let seed = seed(mediaGuidVariable: mediaGuidVariable)
        let password = password(mediaGuidVariable: mediaGuidVariable)
        switch certificate.kind {
        case .selfSigned:
            guard let pem = secrets.certificateKey else {
                throw spec.error("certificate.self-signed.key", "the key was not read (resolve it with SpecChecks.resolveSecrets first)")
            }
            do {
                let key = try MediaKey(pem: pem, source: "certificate.self-signed.key")
                let der = try SelfSignedCertificate.make(key: key, commonName: commonName(mediaGuidVariable: mediaGuidVariable),
                                                         notBefore: certificate.notBefore, notAfter: certificate.notAfter, seed: seed)
                return try PKCS12.encode(certificates: [der], privateKeyPKCS8: key.pkcs8DER, password: password, seed: seed)
            } catch {
                throw spec.error("certificate.self-signed.key", "cannot make the media certificate: \(error)")
            }
        case .pki:
            guard let key = certificate.privateKeyPKCS8 else {
                throw spec.error("certificate.pki.file", "the PFX's private key was not read (check it with SpecChecks.certificate first)")
            }
            do {
                return try PKCS12.encode(certificates: certificate.certificates, privateKeyPKCS8: key, password: password, seed: seed)
            } catch {
                throw spec.error("certificate.pki.file", "cannot re-pack the PFX: \(error)")
            }
        }
    }
}
